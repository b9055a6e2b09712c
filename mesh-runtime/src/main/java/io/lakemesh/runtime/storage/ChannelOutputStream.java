package io.lakemesh.runtime.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.apache.iceberg.io.PositionOutputStream;

/**
 * A buffered stream onto a {@link FileChannel} that fsyncs the file when it closes (if asked to).
 * Every local write goes through it: {@link LocalOutputFile} for Iceberg's metadata and manifests,
 * {@link NioLocalFileSystem} for the Parquet data files.
 */
final class ChannelOutputStream extends PositionOutputStream {
  private static final int BUFFER_SIZE = 64 * 1024;

  private final FileChannel channel;
  private final String location;
  private final boolean fsync;
  private final ByteBuffer buffer = ByteBuffer.allocate(BUFFER_SIZE);
  private long pos;
  private boolean closed;

  ChannelOutputStream(FileChannel channel, String location, boolean fsync) {
    this.channel = channel;
    this.location = location;
    this.fsync = fsync;
  }

  /**
   * Opens {@code path} for writing with {@code mode} (e.g. {@code CREATE_NEW}), creating missing
   * parent directories.
   *
   * @throws java.nio.file.FileAlreadyExistsException with {@code CREATE_NEW} on an existing file
   */
  static ChannelOutputStream open(Path path, String location, boolean fsync, OpenOption... mode)
      throws IOException {
    OpenOption[] options = new OpenOption[mode.length + 1];
    options[0] = StandardOpenOption.WRITE;
    System.arraycopy(mode, 0, options, 1, mode.length);
    FileChannel channel;
    try {
      channel = FileChannel.open(path, options);
    } catch (NoSuchFileException e) {
      // Parent directories are created only on a miss: most files land in existing directories,
      // and an up-front createDirectories would cost extra syscalls on every file.
      Files.createDirectories(path.getParent());
      channel = FileChannel.open(path, options);
    }
    return new ChannelOutputStream(channel, location, fsync);
  }

  /** Whether {@link #close()} forces the file's bytes to the device. */
  boolean syncsOnClose() {
    return fsync;
  }

  @Override
  public long getPos() throws IOException {
    return pos;
  }

  @Override
  public void write(int b) throws IOException {
    ensureOpen();
    if (!buffer.hasRemaining()) {
      drain();
    }
    buffer.put((byte) b);
    pos++;
  }

  @Override
  public void write(byte[] bytes, int off, int len) throws IOException {
    ensureOpen();
    if (len > buffer.remaining()) {
      drain();
    }
    if (len >= buffer.capacity()) {
      writeFully(ByteBuffer.wrap(bytes, off, len));
    } else {
      buffer.put(bytes, off, len);
    }
    pos += len;
  }

  @Override
  public void flush() throws IOException {
    ensureOpen();
    drain();
  }

  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    if (!fsync) {
      try (FileChannel toClose = channel) {
        drain();
      }
      return;
    }
    try {
      drain();
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
    // The file only; its new directory entry rides along on ext4/xfs, whose fsync commits the journal that holds
    // it (POSIX alone would also want the directory fsynced). Inside a DeferredSyncs.collect (a batch's data
    // files) the force runs in the background and the batch waits for all of them at its end.
    DeferredSyncs.forceAndClose(channel);
  }

  private void drain() throws IOException {
    buffer.flip();
    writeFully(buffer);
    buffer.clear();
  }

  private void writeFully(ByteBuffer source) throws IOException {
    while (source.hasRemaining()) {
      channel.write(source);
    }
  }

  private void ensureOpen() throws IOException {
    if (closed) {
      throw new IOException("Stream on " + location + " is closed");
    }
  }
}
