package io.lakemesh.runtime.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.iceberg.hadoop.HadoopOutputFile;
import org.apache.iceberg.io.OutputFile;

/**
 * {@link HadoopOutputFile}s for the Parquet files of a local warehouse, all sharing one loaded
 * Hadoop {@link Configuration} and writing through {@link NioLocalFileSystem}.
 *
 * <p>Why: Iceberg's {@code Parquet.WriteBuilder} takes a {@code new Configuration()} for every
 * file that is not a {@code HadoopOutputFile}, which parses about 450 KB of Hadoop's {@code
 * *-default.xml} (2-6 ms per data file); for a {@code HadoopOutputFile} it copies that file's
 * configuration instead. Parquet then opens the file through the {@code FileSystem} the
 * configuration names for {@code file:}, so the shared configuration names ours and bypasses
 * Hadoop's {@code FileSystem} cache (whose key ignores the configuration, so another user of {@code
 * file:} in the JVM could otherwise hand Parquet Hadoop's {@code LocalFileSystem}).
 */
final class HadoopOutputFiles {
  private final Configuration conf;
  private final FileSystem fs;

  /** Loads Hadoop's default resources once; {@code fsync} goes to every file's stream. */
  HadoopOutputFiles(boolean fsync) {
    Configuration loaded = new Configuration();
    // The FileSystem factory resolves fs.file.impl with this loader, whatever thread asks.
    loaded.setClassLoader(NioLocalFileSystem.class.getClassLoader());
    loaded.setClass("fs.file.impl", NioLocalFileSystem.class, FileSystem.class);
    loaded.setBoolean("fs.file.impl.disable.cache", true);
    // A location without a scheme (/abs/path) is local to LocalFileIO, whatever core-site.xml says.
    loaded.set(FileSystem.FS_DEFAULT_NAME_KEY, "file:///");
    loaded.setBoolean(LocalFileIO.FSYNC, fsync);
    this.conf = loaded;
    // Constructed, not FileSystem.get: the factory would look up the Hadoop user for its cache key.
    NioLocalFileSystem local = new NioLocalFileSystem();
    try {
      local.initialize(URI.create("file:///"), conf);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot start the local Hadoop file system", e);
    }
    this.fs = local;
  }

  /** Whether {@code location} is a file this class writes: a Parquet file, by Iceberg's naming. */
  static boolean isParquet(String location) {
    return location.endsWith(".parquet");
  }

  /**
   * Returns a {@code HadoopOutputFile} for a {@code file:/abs} or {@code /abs} location, or {@code
   * null} for any other form or if Hadoop's {@link Path} would spell it differently: the data
   * file's location is recorded in the table as the output file reports it, so it must stay the
   * caller's string.
   */
  OutputFile forLocation(String location) {
    // file:/abs (Warehouse.openLocal) or /abs; file:///abs would come back as file:/abs.
    boolean plainForm =
        location.startsWith("/")
            || (location.startsWith("file:/") && !location.startsWith("file://"));
    if (!plainForm) {
      return null;
    }
    Path path;
    try {
      path = new Path(location);
    } catch (IllegalArgumentException notAHadoopPath) {
      return null;
    }
    if (!path.toString().equals(location)) {
      return null;
    }
    // Adding a default resource later (Hadoop does when mapred/hdfs classes load) empties every
    // loaded configuration; reload it here, once, or each copy of it would parse the XML again.
    conf.size();
    return HadoopOutputFile.fromPath(path, fs, conf);
  }

  /** The shared configuration: read-only by convention, as Iceberg only copies it. */
  Configuration conf() {
    return conf;
  }
}
