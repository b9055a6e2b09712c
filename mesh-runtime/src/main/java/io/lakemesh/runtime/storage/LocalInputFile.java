package io.lakemesh.runtime.storage;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.apache.iceberg.exceptions.NotFoundException;
import org.apache.iceberg.exceptions.RuntimeIOException;
import org.apache.iceberg.io.InputFile;
import org.apache.iceberg.io.RangeReadable;
import org.apache.iceberg.io.SeekableInputStream;

/** A local file read through a {@link FileChannel}; see {@link LocalFileIO}. */
final class LocalInputFile implements InputFile {
  private final String location;
  private final Path path;
  private final long knownLength;

  /**
   * @param knownLength the length if the caller knows it (manifests record data file sizes, which
   *     saves a stat per file), or -1
   */
  LocalInputFile(String location, Path path, long knownLength) {
    this.location = location;
    this.path = path;
    this.knownLength = knownLength;
  }

  @Override
  public long getLength() {
    if (knownLength >= 0) {
      return knownLength;
    }
    try {
      return Files.size(path);
    } catch (NoSuchFileException e) {
      throw new NotFoundException(e, "File does not exist: %s", location);
    } catch (IOException e) {
      throw new RuntimeIOException(e, "Failed to get the length of %s", location);
    }
  }

  @Override
  public SeekableInputStream newStream() {
    try {
      return new ChannelInputStream(FileChannel.open(path, StandardOpenOption.READ), location);
    } catch (NoSuchFileException e) {
      // Iceberg's metadata refresh tells "missing" from "broken" by this exception type.
      throw new NotFoundException(e, "File does not exist: %s", location);
    } catch (IOException e) {
      throw new RuntimeIOException(e, "Failed to open %s", location);
    }
  }

  @Override
  public String location() {
    return location;
  }

  @Override
  public boolean exists() {
    return Files.exists(path);
  }

  @Override
  public String toString() {
    return location;
  }

  /**
   * Reads with positional channel reads, so a seek is just a field update. Also {@link
   * RangeReadable}, which lets Parquet fetch footers and column chunks without moving the stream.
   */
  private static final class ChannelInputStream extends SeekableInputStream
      implements RangeReadable {
    private final FileChannel channel;
    private final String location;
    private long pos;
    private boolean closed;

    ChannelInputStream(FileChannel channel, String location) {
      this.channel = channel;
      this.location = location;
    }

    @Override
    public long getPos() throws IOException {
      ensureOpen();
      return pos;
    }

    @Override
    public void seek(long newPos) throws IOException {
      ensureOpen();
      if (newPos < 0) {
        throw new EOFException("Cannot seek to negative position " + newPos + " in " + location);
      }
      pos = newPos;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      int n = read(one, 0, 1);
      return n < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] buffer, int off, int len) throws IOException {
      ensureOpen();
      if (len == 0) {
        return 0;
      }
      int n = channel.read(ByteBuffer.wrap(buffer, off, len), pos);
      if (n > 0) {
        pos += n;
      }
      return n;
    }

    @Override
    public long skip(long n) throws IOException {
      ensureOpen();
      long skipped = Math.max(0, Math.min(n, channel.size() - pos));
      pos += skipped;
      return skipped;
    }

    @Override
    public int available() throws IOException {
      ensureOpen();
      return (int) Math.min(Integer.MAX_VALUE, Math.max(0, channel.size() - pos));
    }

    @Override
    public void readFully(long position, byte[] buffer, int offset, int length)
        throws IOException {
      ensureOpen();
      ByteBuffer target = ByteBuffer.wrap(buffer, offset, length);
      long at = position;
      while (target.hasRemaining()) {
        int n = channel.read(target, at);
        if (n < 0) {
          throw new EOFException(
              "Reached the end of " + location + " reading " + length + " bytes at " + position);
        }
        at += n;
      }
    }

    @Override
    public int readTail(byte[] buffer, int offset, int length) throws IOException {
      ensureOpen();
      long size = channel.size();
      int n = (int) Math.min(length, size);
      readFully(size - n, buffer, offset, n);
      return n;
    }

    @Override
    public void close() throws IOException {
      if (!closed) {
        closed = true;
        channel.close();
      }
    }

    private void ensureOpen() throws IOException {
      if (closed) {
        throw new IOException("Stream on " + location + " is closed");
      }
    }
  }
}
