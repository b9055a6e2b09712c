package io.lakemesh.contracts;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Why a file could not be read, in words: Java's file exceptions carry only the path as their message
 * ({@code AccessDeniedException: /x/y}), which as "cannot read /x/y: /x/y" says nothing.
 */
public final class IoReasons {
  private IoReasons() {}

  public static String of(IOException e) {
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof NoSuchFileException) {
      return "no such file";
    }
    if (e instanceof NotDirectoryException) {
      return "not a directory";
    }
    if (e instanceof FileSystemException fs && fs.getReason() != null) {
      return fs.getReason(); // "Is a directory", "Too many levels of symbolic links", ...
    }
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }

  /**
   * Why {@code file} cannot be opened for reading, or empty when it can (tried, not guessed from its mode bits). A
   * pipe or a device ({@code <(git show ...)}, standard input) is not opened here: what it holds is read once.
   */
  public static Optional<String> unreadable(Path file) {
    if (!Files.exists(file)) {
      return Optional.of("no such file");
    }
    if (Files.isDirectory(file)) {
      return Optional.of("a directory, not a file");
    }
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    try (var in = Files.newInputStream(file)) {
      return Optional.empty();
    } catch (IOException e) {
      return Optional.of(of(e));
    }
  }
}
