package io.lakemesh.runtime.storage;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.exceptions.AlreadyExistsException;
import org.apache.iceberg.exceptions.NotFoundException;
import org.apache.iceberg.io.FileInfo;
import org.apache.iceberg.io.PositionOutputStream;
import org.apache.iceberg.io.RangeReadable;
import org.apache.iceberg.io.SeekableInputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalFileIOTest {
  @TempDir Path dir;
  private final LocalFileIO io = new LocalFileIO();

  @BeforeEach
  void init() {
    io.initialize(Map.of());
  }

  @Test
  void allLocationFormsNameTheSameFile() throws IOException {
    Path file = dir.resolve("a/b/c.bin");
    write("file:" + file, "hello");
    for (String location : List.of(file.toString(), "file:" + file, "file://" + file)) {
      assertEquals(5, io.newInputFile(location).getLength(), location);
      assertEquals("hello", read(location), location);
    }
    assertEquals("hello", Files.readString(file));
  }

  @Test
  void createMakesParentsAndRefusesToOverwrite() throws IOException {
    String location = dir.resolve("x/y/z/data.parquet").toString();
    write(location, "first");
    assertThrows(AlreadyExistsException.class, () -> io.newOutputFile(location).create());
    try (PositionOutputStream out = io.newOutputFile(location).createOrOverwrite()) {
      out.write("2nd".getBytes(UTF_8));
    }
    assertEquals("2nd", read(location));
  }

  @Test
  void positionsCountBufferedAndLargeWrites() throws IOException {
    byte[] big = new byte[200_000];
    for (int i = 0; i < big.length; i++) {
      big[i] = (byte) i;
    }
    String location = dir.resolve("big.bin").toString();
    try (PositionOutputStream out = io.newOutputFile(location).create()) {
      out.write(7);
      assertEquals(1, out.getPos());
      out.write(big, 10, 100);
      assertEquals(101, out.getPos());
      out.write(big);
      assertEquals(200_101, out.getPos());
    }
    assertEquals(200_101, Files.size(Path.of(location)));

    try (SeekableInputStream in = io.newInputFile(location).newStream()) {
      assertEquals(7, in.read());
      in.seek(101 + 150_000);
      assertEquals(101 + 150_000, in.getPos());
      assertEquals(big[150_000] & 0xFF, in.read());
      byte[] tail = new byte[10];
      assertEquals(10, ((RangeReadable) in).readTail(tail));
      assertArrayEquals(java.util.Arrays.copyOfRange(big, big.length - 10, big.length), tail);
      byte[] range = new byte[4];
      ((RangeReadable) in).readFully(1, range);
      assertArrayEquals(java.util.Arrays.copyOfRange(big, 10, 14), range);
      assertEquals(101 + 150_001, in.getPos(), "range reads leave the position alone");
      in.seek(200_101);
      assertEquals(-1, in.read());
      assertThrows(EOFException.class, () -> ((RangeReadable) in).readFully(200_100, new byte[2]));
    }
  }

  @Test
  void missingFilesAreNotFoundAndDeletingThemIsFine() {
    String location = dir.resolve("missing.json").toString();
    assertFalse(io.newInputFile(location).exists());
    assertThrows(NotFoundException.class, () -> io.newInputFile(location).newStream());
    assertThrows(NotFoundException.class, () -> io.newInputFile(location).getLength());
    io.deleteFile(location);
  }

  @Test
  void deletesSingleBulkAndPrefix() throws IOException {
    String root = "file:" + dir.resolve("table");
    List<String> locations = List.of(root + "/data/a=1/f1", root + "/data/a=2/f2", root + "/m.json");
    for (String location : locations) {
      write(location, "x");
    }
    List<String> listed = new ArrayList<>();
    for (FileInfo info : io.listPrefix(root + "/")) {
      listed.add(info.location());
      assertEquals(1, info.size());
    }
    assertEquals(locations.stream().sorted().toList(), listed.stream().sorted().toList());

    io.deleteFile(locations.get(2));
    assertFalse(Files.exists(dir.resolve("table/m.json")));
    io.deleteFiles(locations.subList(0, 1));
    assertFalse(io.newInputFile(locations.get(0)).exists());
    io.deletePrefix(root);
    assertFalse(Files.exists(dir.resolve("table")));
  }

  @Test
  void refusesLocationsItCannotServe() {
    for (String location : List.of("s3://bucket/key", "relative/path", "file://otherhost/x", "")) {
      assertThrows(IllegalArgumentException.class, () -> io.newInputFile(location), location);
    }
    LocalFileIO misconfigured = new LocalFileIO();
    assertThrows(
        IllegalArgumentException.class,
        () -> misconfigured.initialize(Map.of(LocalFileIO.FSYNC, "yes")));
  }

  @Test
  void isUsableAsCatalogIoImpl() throws Exception {
    Object loaded =
        org.apache.iceberg.CatalogUtil.loadFileIO(
            LocalFileIO.class.getName(), Map.of(LocalFileIO.FSYNC, "false"), null);
    assertTrue(loaded instanceof LocalFileIO);
    assertEquals("false", ((LocalFileIO) loaded).properties().get(LocalFileIO.FSYNC));
  }

  private void write(String location, String text) throws IOException {
    try (PositionOutputStream out = io.newOutputFile(location).create()) {
      out.write(text.getBytes(UTF_8));
    }
  }

  private String read(String location) throws IOException {
    try (SeekableInputStream in = io.newInputFile(location).newStream()) {
      return new String(in.readAllBytes(), UTF_8);
    }
  }
}
