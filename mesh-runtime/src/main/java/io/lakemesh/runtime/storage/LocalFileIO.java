package io.lakemesh.runtime.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.iceberg.exceptions.RuntimeIOException;
import org.apache.iceberg.io.BulkDeletionFailureException;
import org.apache.iceberg.io.FileInfo;
import org.apache.iceberg.io.InputFile;
import org.apache.iceberg.io.OutputFile;
import org.apache.iceberg.io.SupportsBulkOperations;
import org.apache.iceberg.io.SupportsPrefixOperations;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An Iceberg {@link org.apache.iceberg.io.FileIO} over {@code java.nio} for warehouses on a local
 * disk.
 *
 * <p>It exists because {@code HadoopFileIO} on {@code file:} paths goes through Hadoop's {@code
 * LocalFileSystem}, which forks a {@code chmod} process for every file it creates (Hadoop's native
 * library is not on Maven Central); that halves write throughput.
 *
 * <p>Locations may be {@code file:} URIs ({@code file:/a/b}, {@code file:///a/b}) or absolute
 * paths ({@code /a/b}). They are not percent-decoded: Iceberg builds locations by string
 * concatenation (and escapes partition values itself), so a {@code %} in a location is a literal
 * character of the file name, as it is for {@code HadoopFileIO}.
 *
 * <p>Parquet data files are handed out as {@code HadoopOutputFile}s that share one loaded Hadoop
 * configuration and write through {@link NioLocalFileSystem} (see {@link HadoopOutputFiles}):
 * otherwise Iceberg's Parquet writer parses Hadoop's default XML for every file. Everything else
 * (metadata, manifests) and all reads stay on plain {@code java.nio}.
 *
 * <p>Files are fsynced when their stream closes, because the catalog commit that follows (SQLite
 * fsyncs its own writes) must never point at bytes a power loss can take back. Set {@link #FSYNC}
 * to {@code false} where the warehouse is scratch space.
 *
 * <p>Usable as a catalog's {@code io-impl}: public no-arg constructor, configured by {@link
 * #initialize(Map)}.
 */
public final class LocalFileIO implements SupportsPrefixOperations, SupportsBulkOperations {
  /** Catalog/FileIO property: {@code true} (default) or {@code false}. */
  public static final String FSYNC = "lakemesh.local-io.fsync";

  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(LocalFileIO.class);
  private static final Pattern URI_SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*:.*");

  private Map<String, String> properties = Map.of();
  private boolean fsync = true;
  // Created on the first Parquet file (it loads Hadoop's configuration); not serialized.
  private transient volatile HadoopOutputFiles hadoopOutputFiles;

  public LocalFileIO() {}

  @Override
  public void initialize(Map<String, String> props) {
    this.properties = Map.copyOf(props);
    this.fsync = parseBoolean(props.getOrDefault(FSYNC, "true"));
    this.hadoopOutputFiles = null;
  }

  @Override
  public Map<String, String> properties() {
    return properties;
  }

  @Override
  public InputFile newInputFile(String location) {
    return new LocalInputFile(location, toPath(location), -1);
  }

  @Override
  public InputFile newInputFile(String location, long length) {
    return new LocalInputFile(location, toPath(location), length);
  }

  @Override
  public OutputFile newOutputFile(String location) {
    Path path = toPath(location);
    if (HadoopOutputFiles.isParquet(location)) {
      OutputFile parquet = hadoopOutputFiles().forLocation(location);
      if (parquet != null) {
        return parquet;
      }
    }
    return new LocalOutputFile(location, path, fsync);
  }

  private HadoopOutputFiles hadoopOutputFiles() {
    HadoopOutputFiles files = hadoopOutputFiles;
    if (files == null) {
      synchronized (this) {
        files = hadoopOutputFiles;
        if (files == null) {
          files = new HadoopOutputFiles(fsync);
          hadoopOutputFiles = files;
        }
      }
    }
    return files;
  }

  /** Deletes the file; a file that is already gone is not an error (as on object stores). */
  @Override
  public void deleteFile(String location) {
    try {
      Files.deleteIfExists(toPath(location));
    } catch (IOException e) {
      throw new RuntimeIOException(e, "Failed to delete file %s", location);
    }
  }

  @Override
  public void deleteFiles(Iterable<String> locations) throws BulkDeletionFailureException {
    // The bulk contract is "try them all, then report how many failed": each failure is logged
    // with its cause here because the exception can only carry the count.
    int failed = 0;
    for (String location : locations) {
      try {
        deleteFile(location);
      } catch (RuntimeException e) {
        failed++;
        LOG.warn("Failed to delete {}", location, e);
      }
    }
    if (failed > 0) {
      throw new BulkDeletionFailureException(failed);
    }
  }

  /** Lists the files under a directory prefix, recursively, in the same location form. */
  @Override
  public Iterable<FileInfo> listPrefix(String prefix) {
    Path root = toPath(prefix);
    if (!Files.isDirectory(root)) {
      return List.of();
    }
    String base = stripTrailingSlashes(prefix);
    List<FileInfo> files = new ArrayList<>();
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path file : (Iterable<Path>) walk::iterator) {
        BasicFileAttributes attrs = Files.readAttributes(file, BasicFileAttributes.class);
        if (attrs.isRegularFile()) {
          String location = base + "/" + root.relativize(file);
          files.add(new FileInfo(location, attrs.size(), attrs.lastModifiedTime().toMillis()));
        }
      }
    } catch (IOException | UncheckedIOException e) {
      throw new RuntimeIOException(asIOException(e), "Failed to list %s", prefix);
    }
    return files;
  }

  /** Deletes a directory prefix and everything under it. */
  @Override
  public void deletePrefix(String prefix) {
    Path root = toPath(prefix);
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(root)) {
      // Deepest first, so directories are empty when their turn comes.
      for (Path path : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
        Files.delete(path);
      }
    } catch (IOException | UncheckedIOException e) {
      throw new RuntimeIOException(asIOException(e), "Failed to delete prefix %s", prefix);
    }
  }

  /**
   * Resolves an Iceberg location to a local path.
   *
   * @throws IllegalArgumentException if the location has another scheme, names a remote host, or
   *     is relative (a relative location would silently depend on the working directory)
   */
  static Path toPath(String location) {
    if (location == null || location.isEmpty()) {
      throw new IllegalArgumentException("LocalFileIO needs a location, got none");
    }
    String path;
    if (location.startsWith("file:")) {
      String rest = location.substring("file:".length());
      if (rest.startsWith("//")) {
        int slash = rest.indexOf('/', 2);
        String host = slash < 0 ? rest.substring(2) : rest.substring(2, slash);
        if (!host.isEmpty() && !host.equals("localhost")) {
          throw new IllegalArgumentException(
              "LocalFileIO cannot open " + location + ": it names host '" + host + "'");
        }
        path = slash < 0 ? "/" : rest.substring(slash);
      } else {
        path = rest;
      }
    } else if (URI_SCHEME.matcher(location).matches()) {
      throw new IllegalArgumentException(
          "LocalFileIO cannot open " + location + ": only file: locations and absolute paths");
    } else {
      path = location;
    }
    Path resolved = Path.of(path);
    if (!resolved.isAbsolute()) {
      throw new IllegalArgumentException(
          "LocalFileIO cannot open " + location + ": the path is not absolute");
    }
    return resolved;
  }

  private static String stripTrailingSlashes(String location) {
    int end = location.length();
    while (end > 1 && location.charAt(end - 1) == '/') {
      end--;
    }
    return location.substring(0, end);
  }

  private static IOException asIOException(Exception e) {
    return e instanceof UncheckedIOException u ? u.getCause() : (IOException) e;
  }

  private static boolean parseBoolean(String value) {
    if (value.equalsIgnoreCase("true")) {
      return true;
    }
    if (value.equalsIgnoreCase("false")) {
      return false;
    }
    throw new IllegalArgumentException(FSYNC + " must be true or false, got '" + value + "'");
  }
}
