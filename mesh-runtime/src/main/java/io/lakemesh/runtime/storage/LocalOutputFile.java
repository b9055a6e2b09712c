package io.lakemesh.runtime.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.apache.iceberg.exceptions.AlreadyExistsException;
import org.apache.iceberg.exceptions.RuntimeIOException;
import org.apache.iceberg.io.InputFile;
import org.apache.iceberg.io.OutputFile;
import org.apache.iceberg.io.PositionOutputStream;

/** A local file written through a {@link FileChannel}; see {@link LocalFileIO}. */
final class LocalOutputFile implements OutputFile {
  private static final int BUFFER_SIZE = 64 * 1024;

  private final String location;
  private final Path path;
  private final boolean fsync;

  LocalOutputFile(String location, Path path, boolean fsync) {
    this.location = location;
    this.path = path;
    this.fsync = fsync;
  }

  /** Creates the file, and its parent directories; fails if the file exists. */
  @Override
  public PositionOutputStream create() {
    try {
      return open(StandardOpenOption.CREATE_NEW);
    } catch (FileAlreadyExistsException e) {
      // Iceberg relies on create() refusing to overwrite (e.g. two writers racing to one name).
      throw new AlreadyExistsException(e, "File already exists: %s", location);
    } catch (IOException e) {
      throw new RuntimeIOException(e, "Failed to create %s", location);
    }
  }

  @Override
  public PositionOutputStream createOrOverwrite() {
    try {
      return open(StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING);
    } catch (IOException e) {
      throw new RuntimeIOException(e, "Failed to create or overwrite %s", location);
    }
  }

  @Override
  public String location() {
    return location;
  }

  @Override
  public InputFile toInputFile() {
    return new LocalInputFile(location, path, -1);
  }

  @Override
  public String toString() {
    return location;
  }

  private PositionOutputStream open(OpenOption... mode) throws IOException {
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

  private static final class ChannelOutputStream extends PositionOutputStream {
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
      try (FileChannel toClose = channel) {
        drain();
        if (fsync) {
          // The file only; its new directory entry rides along on ext4/xfs, whose fsync commits
          // the journal that holds it (POSIX alone would also want the directory fsynced).
          toClose.force(true);
        }
      }
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
}
