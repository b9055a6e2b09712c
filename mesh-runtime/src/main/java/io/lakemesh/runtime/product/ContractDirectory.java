package io.lakemesh.runtime.product;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The contract files of a directory, as a node loads them and {@code lakemesh contract lint} reads them: files named
 * {@code *.odcs.yaml}, {@code *.odcs.yml} or {@code *.odcs.json}, also through symbolic links (a Kubernetes
 * ConfigMap volume holds links into a hidden directory of its own), in subdirectories too, but not in hidden
 * directories (tool state, a ConfigMap's copies) or {@code target/} (build output holds copies).
 *
 * @param contracts the contract files, in a stable order
 * @param skipped other YAML and JSON files, left alone (a node does not load them; named so it is not silent)
 * @param broken links to nothing that are named like a contract file
 */
public record ContractDirectory(List<Path> contracts, List<Path> skipped, List<Path> broken) {

  /** Lists {@code dir}; a directory that cannot be read is an {@link UncheckedIOException} naming it. */
  public static ContractDirectory of(Path dir) {
    List<Path> contracts = new ArrayList<>();
    List<Path> skipped = new ArrayList<>();
    List<Path> broken = new ArrayList<>();
    try {
      Files.walkFileTree(dir, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) {
          String name = d.getFileName() == null ? "" : d.getFileName().toString();
          boolean skip = !d.equals(dir) && (name.startsWith(".") || name.equals("target"));
          return skip ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) {
          String name = f.getFileName().toString().toLowerCase(Locale.ROOT);
          boolean contract = name.endsWith(".odcs.yaml") || name.endsWith(".odcs.yml") || name.endsWith(".odcs.json");
          // the attributes are the link's own: whether it leads to a file is asked of the file system
          boolean file = attrs.isRegularFile() || attrs.isSymbolicLink() && Files.isRegularFile(f);
          if (file && contract) {
            contracts.add(f);
          } else if (file && (name.endsWith(".yaml") || name.endsWith(".yml") || name.endsWith(".json"))) {
            skipped.add(f);
          } else if (contract && attrs.isSymbolicLink() && !Files.exists(f)) {
            broken.add(f);
          }
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read directory " + dir + ": " + e.getMessage(), e);
    }
    contracts.sort(null);
    skipped.sort(null);
    broken.sort(null);
    return new ContractDirectory(List.copyOf(contracts), List.copyOf(skipped), List.copyOf(broken));
  }
}
