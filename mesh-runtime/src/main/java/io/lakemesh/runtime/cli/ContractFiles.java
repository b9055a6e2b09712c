package io.lakemesh.runtime.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** The contract files a CLI command is given: files named on the command line, and those of directories. */
final class ContractFiles {
  private ContractFiles() {}

  /**
   * The files {@code paths} stand for: a file as named (whatever its extension), a directory's contract files as a
   * node loads them. Empty when the command should exit 2, with the reason already printed as
   * {@code <command>: ...}.
   *
   * @param saySkipped name, for each directory, the other YAML and JSON files it holds and that are left alone
   */
  static Optional<List<Path>> named(String command, List<Path> paths, PrintWriter err, boolean saySkipped) {
    List<String> missing = paths.stream().filter(p -> !Files.exists(p)).map(Path::toString).toList();
    if (!missing.isEmpty()) {
      err.println(command + ": no such file or directory: " + String.join(", ", missing));
      return Optional.empty();
    }
    List<Path> files = new ArrayList<>();
    try {
      for (Path p : paths) {
        if (Files.isDirectory(p)) {
          List<Path> skipped = new ArrayList<>();
          files.addAll(contractsUnder(p, skipped));
          if (saySkipped) {
            // as the node does: it loads only contract files, and says which others it leaves alone
            skipped.forEach(f -> err.println(command + ": skipped " + f + ": contract files are named *.odcs.yaml,"
                + " *.odcs.yml or *.odcs.json (name it explicitly to " + command + " it anyway)"));
          }
        } else {
          files.add(p); // named explicitly: read whatever its extension
        }
      }
    } catch (UncheckedIOException e) {
      err.println(command + ": " + e.getMessage());
      return Optional.empty();
    }
    if (files.isEmpty()) {
      err.println(command + ": no contract files (*.odcs.yaml, *.odcs.yml, *.odcs.json) in " + String.join(", ",
          paths.stream().map(Path::toString).toList()));
      return Optional.empty();
    }
    return Optional.of(files);
  }

  /**
   * Contract files under a directory ({@code *.odcs.yaml}, {@code *.odcs.yml}, {@code *.odcs.json}, what a node
   * loads), in a stable order; other YAML and JSON files go to {@code skipped}.
   */
  static List<Path> contractsUnder(Path dir, List<Path> skipped) {
    List<Path> found = new ArrayList<>();
    try {
      Files.walkFileTree(dir, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) {
          String name = d.getFileName() == null ? "" : d.getFileName().toString();
          // build output holds copies of the contracts; hidden directories hold tool state
          boolean skip = !d.equals(dir) && (name.startsWith(".") || name.equals("target"));
          return skip ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) {
          String name = f.getFileName().toString().toLowerCase(Locale.ROOT);
          if (attrs.isRegularFile()
              && (name.endsWith(".odcs.yaml") || name.endsWith(".odcs.yml") || name.endsWith(".odcs.json"))) {
            found.add(f);
          } else if (attrs.isRegularFile()
              && (name.endsWith(".yaml") || name.endsWith(".yml") || name.endsWith(".json"))) {
            skipped.add(f);
          }
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read directory " + dir + ": " + e.getMessage(), e);
    }
    found.sort(null);
    skipped.sort(null);
    return found;
  }
}
