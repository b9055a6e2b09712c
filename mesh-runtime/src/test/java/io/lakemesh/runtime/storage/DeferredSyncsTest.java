package io.lakemesh.runtime.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeferredSyncsTest {
  @TempDir
  Path dir;

  private FileChannel written(String name) throws IOException {
    FileChannel channel = FileChannel.open(dir.resolve(name), StandardOpenOption.CREATE_NEW,
        StandardOpenOption.WRITE);
    channel.write(ByteBuffer.wrap(name.getBytes()));
    return channel;
  }

  @Test
  void filesClosedInsideCollectAreAllSyncedAndClosedWhenItReturns() throws Exception {
    List<FileChannel> channels = new ArrayList<>();
    String result = DeferredSyncs.collect(() -> {
      try {
        for (int i = 0; i < 40; i++) {
          FileChannel c = written("f" + i);
          channels.add(c);
          DeferredSyncs.forceAndClose(c);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return "done";
    });
    assertEquals("done", result);
    assertEquals(40, channels.size());
    assertTrue(channels.stream().noneMatch(FileChannel::isOpen), "collect returned before every sync ended");
  }

  @Test
  void outsideCollectASyncHappensAtOnce() throws Exception {
    FileChannel c = written("now");
    DeferredSyncs.forceAndClose(c);
    assertFalse(c.isOpen());
  }

  @Test
  void aFailedSyncFailsTheCollect() throws Exception {
    FileChannel broken = written("broken");
    broken.close(); // forcing a closed channel fails, as a failing disk would
    UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> DeferredSyncs.collect(() -> {
      try {
        DeferredSyncs.forceAndClose(broken);
      } catch (IOException io) {
        throw new UncheckedIOException(io);
      }
      return null;
    }));
    assertTrue(e.getMessage().startsWith("cannot sync a data file"), e.getMessage());
  }

  @Test
  void whenTheWorkFailsItsSyncsStillEndAndTheCauseIsKept() throws Exception {
    List<FileChannel> channels = new ArrayList<>();
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> DeferredSyncs.collect(() -> {
      try {
        FileChannel c = written("before-failure");
        channels.add(c);
        DeferredSyncs.forceAndClose(c);
      } catch (IOException io) {
        throw new UncheckedIOException(io);
      }
      throw new IllegalStateException("writer failed");
    }));
    assertEquals("writer failed", e.getMessage());
    assertFalse(channels.get(0).isOpen());
  }
}
