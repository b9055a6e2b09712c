package io.lakemesh.runtime.storage;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.IOException;
import java.lang.reflect.Field;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.util.NativeCodeLoader;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.exceptions.AlreadyExistsException;
import org.apache.iceberg.hadoop.HadoopOutputFile;
import org.apache.iceberg.io.OutputFile;
import org.apache.iceberg.io.PositionOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Parquet data files of a local warehouse: one shared Hadoop configuration, java.nio, no forks. */
class HadoopOutputFilesTest {
  private static final TableIdentifier ORDERS = TableIdentifier.of("shop", "orders");

  @TempDir Path dir;

  @Test
  void parquetFilesShareOneLoadedConfigurationOtherFilesStayPlain() throws Exception {
    LocalFileIO io = new LocalFileIO();
    io.initialize(Map.of());
    String first = "file:" + dir.resolve("data/region=eu/00000-0-a.parquet");
    String second = "file:" + dir.resolve("data/region=us/00000-0-b.parquet");

    OutputFile a = io.newOutputFile(first);
    OutputFile b = io.newOutputFile(second);
    assertTrue(a instanceof HadoopOutputFile, "Iceberg copies a HadoopOutputFile's configuration");
    assertSame(((HadoopOutputFile) a).getConf(), ((HadoopOutputFile) b).getConf());
    assertEquals(first, a.location(), "the recorded location stays the caller's string");
    assertTrue(isLoaded(((HadoopOutputFile) a).getConf()), "loaded before Iceberg copies it");

    // Other files, and locations Hadoop would respell, stay on LocalOutputFile.
    assertTrue(io.newOutputFile("file:" + dir.resolve("m/v1.metadata.json")) instanceof LocalOutputFile);
    assertTrue(io.newOutputFile("file://" + dir.resolve("x.parquet")) instanceof LocalOutputFile);
    assertTrue(io.newOutputFile("file://localhost" + dir.resolve("x.parquet")) instanceof LocalOutputFile);
    // A bare absolute path (a catalog with warehouse=/abs/path) is local whatever fs.defaultFS says.
    OutputFile bare = io.newOutputFile(dir.resolve("x.parquet").toString());
    assertTrue(bare instanceof HadoopOutputFile);
    assertEquals(dir.resolve("x.parquet").toString(), bare.location());
    Configuration copy = new Configuration(((HadoopOutputFile) bare).getConf());
    assertTrue(((HadoopOutputFile) bare).getPath().getFileSystem(copy) instanceof NioLocalFileSystem);

    // Hadoop empties loaded configurations when a default resource is added (mapred, hdfs classes
    // do that as they load); the next file reloads the shared one instead of every copy parsing.
    Configuration shared = ((HadoopOutputFile) a).getConf();
    shared.reloadConfiguration();
    assertFalse(isLoaded(shared));
    io.newOutputFile("file:" + dir.resolve("c.parquet"));
    assertTrue(isLoaded(shared));
  }

  @Test
  void icebergWritesThroughNioWithoutForksOrChecksumFilesAndReadsBack() throws Exception {
    Path home = dir.resolve("home");
    try (Warehouse warehouse = Warehouse.openLocal(home)) {
      Table table = warehouse.createOrLoad(ORDERS, Orders.SCHEMA, Orders.SPEC, Map.of());
      // Warm-up batch outside the recorder: one-time class loading may run a process once
      // (Hadoop's Shell probes for setsid); what matters is nothing per file.
      List<Record> written = new ArrayList<>(Orders.generate(table.schema(), 0, 500, 1));
      TableWriter.append(table, TableWriter.write(table, written), Map.of());

      // A partition value Iceberg escapes: its file name holds '%' and '+'.
      List<Record> batch = new ArrayList<>(Orders.generate(table.schema(), 500, 2_000, 2));
      batch.add(Orders.order(table.schema(), 10_000, 1, "north america 100%"));
      List<DataFile> files = new ArrayList<>();
      @SuppressWarnings("deprecation")
      FileSystem.Statistics nio = FileSystem.getStatistics("file", NioLocalFileSystem.class);
      long bytesBefore = nio.getBytesWritten();
      List<String> execs = execsDuring(() -> files.addAll(TableWriter.write(table, batch)));
      assertEquals(List.of(), execs, "no process forked while writing " + files.size() + " files");
      assertTrue(files.size() >= 20, "partitioned: " + files.size() + " files");
      TableWriter.append(table, files, Map.of());
      written.addAll(batch);
      assertEquals(
          files.stream().mapToLong(DataFile::fileSizeInBytes).sum(),
          nio.getBytesWritten() - bytesBefore,
          "every data file went through NioLocalFileSystem");

      for (DataFile file : files) {
        Path local = LocalFileIO.toPath(file.location());
        assertTrue(file.location().startsWith("file:" + home), file.location());
        assertEquals(file.fileSizeInBytes(), Files.size(local), "closed and complete: " + local);
      }
      assertTrue(files.stream().anyMatch(f -> f.location().contains("%25")), "escaped name");
      try (Stream<Path> all = Files.walk(home)) {
        assertEquals(List.of(), all.filter(p -> p.toString().endsWith(".crc")).toList());
      }
      assertEquals(
          Orders.sortedById(written), Orders.sortedById(TableReader.read(table)));
    }
  }

  @Test
  void hadoopsOwnLocalFileSystemWouldForkChmod() throws Exception {
    // Shows the recorder sees what the test above rules out.
    assumeFalse(NativeCodeLoader.isNativeCodeLoaded(), "with Hadoop's native library it does not");
    LocalFileSystem hadoops = new LocalFileSystem();
    hadoops.initialize(URI.create("file:///"), new Configuration());
    org.apache.hadoop.fs.Path file = new org.apache.hadoop.fs.Path("file:" + dir.resolve("c.bin"));
    List<String> execs = execsDuring(() -> hadoops.create(file).close());
    assertTrue(execs.stream().anyMatch(c -> c.equals("chmod") || c.endsWith("/chmod")), "recorded: " + execs);
    assertTrue(Files.exists(dir.resolve(".c.bin.crc")));
  }

  @Test
  void fileSystemCreatesAtomicallySyncsAndSetsPermissionsWithNio() throws Exception {
    for (boolean fsync : new boolean[] {true, false}) {
      HadoopOutputFiles files = new HadoopOutputFiles(fsync);
      String location = "file:" + dir.resolve(fsync + "/new/dir/f.parquet");
      OutputFile out = files.forLocation(location);
      assertNotNull(out);
      // The file system Parquet will get: resolved from (a copy of) the shared configuration.
      org.apache.hadoop.fs.Path path = ((HadoopOutputFile) out).getPath();
      FileSystem fs = path.getFileSystem(new Configuration(files.conf()));
      assertTrue(fs instanceof NioLocalFileSystem, fs.getClass().getName());
      try (FSDataOutputStream stream = fs.create(path, false)) {
        ChannelOutputStream channel = (ChannelOutputStream) stream.getWrappedStream();
        assertEquals(fsync, channel.syncsOnClose());
        stream.write("hello".getBytes(UTF_8));
      }
      assertEquals("hello", Files.readString(LocalFileIO.toPath(location)));
      assertThrows(AlreadyExistsException.class, out::create);
      try (PositionOutputStream again = out.createOrOverwrite()) {
        again.write("bye".getBytes(UTF_8));
      }
      assertEquals("bye", Files.readString(LocalFileIO.toPath(location)));

      List<String> execs =
          execsDuring(
              () -> {
                fs.setPermission(path, new FsPermission((short) 0640));
                fs.create(new org.apache.hadoop.fs.Path(path + ".2"), new FsPermission((short) 0600),
                        false, 4096, (short) 1, 1 << 20, null)
                    .close();
              });
      assertEquals(List.of(), execs);
      assertEquals("rw-r-----", PosixFilePermissions.toString(
          Files.getPosixFilePermissions(LocalFileIO.toPath(location))));
      assertEquals("rw-------", PosixFilePermissions.toString(
          Files.getPosixFilePermissions(LocalFileIO.toPath(location + ".2"))));
    }
  }

  private interface Action {
    void run() throws Exception;
  }

  /**
   * The commands of every process the JVM starts during {@code action}, from JFR's {@code jdk.ProcessStart} events
   * (JDK 17 and later alike; a SecurityManager, which JDK 18+ refuses, is not needed).
   */
  private static List<String> execsDuring(Action action) throws Exception {
    Path dump = Files.createTempFile("process-starts", ".jfr");
    try (Recording recording = new Recording()) {
      recording.enable("jdk.ProcessStart").withStackTrace();
      recording.start();
      try {
        action.run();
      } finally {
        recording.stop();
      }
      recording.dump(dump);
      List<String> execs = new ArrayList<>();
      for (RecordedEvent event : RecordingFile.readAllEvents(dump)) {
        if (event.getEventType().getName().equals("jdk.ProcessStart")) {
          String command = event.getString("command");
          execs.add(command.contains(" ") ? command.substring(0, command.indexOf(' ')) : command);
        }
      }
      return List.copyOf(execs);
    } finally {
      Files.deleteIfExists(dump);
    }
  }

  /** Whether the configuration holds parsed properties (Hadoop keeps them in a private field). */
  private static boolean isLoaded(Configuration conf) throws ReflectiveOperationException {
    Field properties = Configuration.class.getDeclaredField("properties");
    properties.setAccessible(true);
    return properties.get(conf) != null;
  }
}
