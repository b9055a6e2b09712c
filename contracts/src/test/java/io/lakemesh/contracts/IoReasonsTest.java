package io.lakemesh.contracts;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** File errors said in words, not as the bare path Java's exceptions carry as their message. */
class IoReasonsTest {
  @TempDir Path dir;

  @Test
  void eachKindOfFileErrorIsSaidInWords() {
    assertEquals("permission denied", IoReasons.of(new AccessDeniedException("/x/key.jwk")));
    assertEquals("no such file", IoReasons.of(new NoSuchFileException("/x/key.jwk")));
    assertEquals("Is a directory", IoReasons.of(new FileSystemException("/x", null, "Is a directory")));
  }

  @Test
  void aFileIsTriedNotGuessed() throws Exception {
    Path file = Files.writeString(dir.resolve("c.odcs.yaml"), "id: x");
    assertEquals(Optional.empty(), IoReasons.unreadable(file));
    assertEquals(Optional.of("a directory, not a file"), IoReasons.unreadable(dir));
    assertEquals(Optional.of("no such file"), IoReasons.unreadable(dir.resolve("gone.odcs.yaml")));
  }
}
