package io.lakemesh.runtime.cli;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
          io.lakemesh.runtime.product.ContractDirectory listing = io.lakemesh.runtime.product.ContractDirectory.of(p);
          files.addAll(listing.contracts());
          if (saySkipped) {
            // as the node does: it loads only contract files, and says which others it leaves alone
            listing.skipped().forEach(f -> err.println(command + ": skipped " + f + ": contract files are named"
                + " *.odcs.yaml, *.odcs.yml or *.odcs.json (name it explicitly to " + command + " it anyway)"));
          }
          listing.broken().forEach(f -> err.println(command + ": skipped " + f + ": a link to nothing"));
        } else {
          // named explicitly: read whatever its extension, but one that cannot be read is a usage error (exit 2),
          // as for diff, not a problem of the contract
          Optional<String> unreadable = io.lakemesh.contracts.IoReasons.unreadable(p);
          if (unreadable.isPresent()) {
            err.println(command + ": cannot read contract file '" + p + "': " + unreadable.get());
            return Optional.empty();
          }
          files.add(p);
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

}
