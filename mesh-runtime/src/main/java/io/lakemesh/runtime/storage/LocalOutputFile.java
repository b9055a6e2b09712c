package io.lakemesh.runtime.storage;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.apache.iceberg.exceptions.AlreadyExistsException;
import org.apache.iceberg.exceptions.RuntimeIOException;
import org.apache.iceberg.io.InputFile;
import org.apache.iceberg.io.OutputFile;
import org.apache.iceberg.io.PositionOutputStream;

/** A local file written through a {@link ChannelOutputStream}; see {@link LocalFileIO}. */
final class LocalOutputFile implements OutputFile {
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
    return ChannelOutputStream.open(path, location, fsync, mode);
  }
}
