package io.lakemesh.runtime.product;

import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The contract files a domain module bundles in a folder beside its index ({@code META-INF/lakemesh/contracts.list}
 * naming {@code lakemesh/contracts/<domain>/}): every file of the folder that {@link ContractDirectory} takes for a
 * contract, in its jar or classes directory, so a file added to the module's {@code contracts/} is deployed with
 * nothing else to edit.
 */
final class BundledContracts {
  private BundledContracts() {}

  /**
   * Reads the contract files of {@code folder} (a resource path ending in {@code /}) next to {@code index}, the URL
   * of the index resource {@code indexName}: resource name -> text, in a stable order.
   */
  static Map<String, String> read(URL index, String indexName, String folder) throws IOException {
    String at = index.toString();
    String base = at.substring(0, at.length() - indexName.length());
    URI uri = URI.create(base + folder);
    if ("jar".equals(uri.getScheme())) {
      String spec = uri.toString();
      int inside = spec.indexOf("!/");
      Path jar = Path.of(URI.create(spec.substring("jar:".length(), inside)));
      try (FileSystem files = FileSystems.newFileSystem(jar)) {
        return read(files.getPath(spec.substring(inside + 1)), folder);
      }
    }
    if ("file".equals(uri.getScheme())) {
      return read(Path.of(uri), folder);
    }
    throw new IOException("cannot list the contracts of " + uri + ": only folders of a jar or a directory are read");
  }

  private static Map<String, String> read(Path dir, String folder) throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new IOException("the contract folder " + folder + " named by a domain module's index is not there");
    }
    Map<String, String> texts = new LinkedHashMap<>();
    for (Path file : ContractDirectory.of(dir).contracts()) {
      // as a resource is read: bytes that are not UTF-8 become replacement characters the parser then reports
      texts.put(folder + dir.relativize(file), new String(Files.readAllBytes(file), StandardCharsets.UTF_8));
    }
    return texts;
  }
}
