package io.lakemesh.runtime.storage;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.EnumSet;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.util.Progressable;

/**
 * Hadoop's raw local file system, writing through {@link ChannelOutputStream} (fsync on close) and
 * setting permissions and owners with {@code java.nio} instead of a forked {@code chmod}/{@code
 * chown}.
 *
 * <p>Parquet writes the data files of a local warehouse through it (see {@link
 * HadoopOutputFiles}). Hadoop's {@code LocalFileSystem} would add a {@code .crc} file per data file
 * and fork a {@code chmod} per file (Hadoop's native library is not on Maven Central); its {@code
 * RawLocalFileSystem} has no checksums but does not fsync and shells out for permissions. Those are
 * the methods overridden here; reads, listing, rename and delete are Hadoop's. Statuses from {@code
 * getFileStatus}/{@code listStatus} are Hadoop's too: their length and times are plain {@code
 * java.io}, but asking them for permission or owner still runs {@code ls} (nothing here does).
 */
final class NioLocalFileSystem extends RawLocalFileSystem {
  private boolean fsync = true;

  /** For Hadoop's {@code FileSystem} factory ({@code fs.file.impl}). */
  public NioLocalFileSystem() {}

  @Override
  public void initialize(URI uri, Configuration conf) throws IOException {
    super.initialize(uri, conf);
    fsync = conf.getBoolean(LocalFileIO.FSYNC, true);
  }

  /**
   * Creates the file and any missing parents, atomically refusing an existing file unless {@code
   * overwrite} (Hadoop's own version checks first, then opens). What Parquet and Iceberg call.
   */
  @Override
  public FSDataOutputStream create(
      Path f,
      boolean overwrite,
      int bufferSize,
      short replication,
      long blockSize,
      Progressable progress)
      throws IOException {
    StandardOpenOption mode =
        overwrite ? StandardOpenOption.TRUNCATE_EXISTING : StandardOpenOption.CREATE_NEW;
    try {
      return new FSDataOutputStream(
          ChannelOutputStream.open(
              pathToFile(f).toPath(), f.toString(), fsync, StandardOpenOption.CREATE, mode),
          statistics);
    } catch (FileAlreadyExistsException e) {
      // Hadoop's type, which callers (Iceberg's HadoopOutputFile) catch.
      throw new org.apache.hadoop.fs.FileAlreadyExistsException("File already exists: " + f);
    }
  }

  @Override
  public FSDataOutputStream create(
      Path f,
      FsPermission permission,
      boolean overwrite,
      int bufferSize,
      short replication,
      long blockSize,
      Progressable progress)
      throws IOException {
    FSDataOutputStream out = create(f, overwrite, bufferSize, replication, blockSize, progress);
    if (permission != null) {
      setPermission(f, permission);
    }
    return out;
  }

  /** The stream behind Hadoop's {@code createNonRecursive} and {@code append}. */
  @Override
  protected OutputStream createOutputStreamWithMode(Path f, boolean append, FsPermission permission)
      throws IOException {
    StandardOpenOption mode =
        append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING;
    OutputStream out =
        ChannelOutputStream.open(
            pathToFile(f).toPath(), f.toString(), fsync, StandardOpenOption.CREATE, mode);
    if (permission != null) {
      setPermission(f, permission.applyUMask(FsPermission.getUMask(getConf())));
    }
    return out;
  }

  /** Sets the nine rwx bits with {@code java.nio}; sticky/setuid bits are not supported. */
  @Override
  public void setPermission(Path p, FsPermission permission) throws IOException {
    short mode = permission.toShort();
    Set<PosixFilePermission> bits = EnumSet.noneOf(PosixFilePermission.class);
    for (PosixFilePermission bit : PosixFilePermission.values()) {
      // OWNER_READ is 0400 ... OTHERS_EXECUTE is 0001, in declaration order.
      if ((mode & (0400 >> bit.ordinal())) != 0) {
        bits.add(bit);
      }
    }
    try {
      Files.setPosixFilePermissions(pathToFile(p).toPath(), bits);
    } catch (NoSuchFileException e) {
      throw notFound(p);
    }
  }

  /** Sets owner and/or group ({@code null} leaves one as it is) with {@code java.nio}. */
  @Override
  public void setOwner(Path p, String username, String groupname) throws IOException {
    if (username == null && groupname == null) {
      throw new IOException("username == null && groupname == null");
    }
    java.nio.file.Path file = pathToFile(p).toPath();
    PosixFileAttributeView view = Files.getFileAttributeView(file, PosixFileAttributeView.class);
    UserPrincipalLookupService users = file.getFileSystem().getUserPrincipalLookupService();
    try {
      if (username != null) {
        view.setOwner(users.lookupPrincipalByName(username));
      }
      if (groupname != null) {
        view.setGroup(users.lookupPrincipalByGroupName(groupname));
      }
    } catch (NoSuchFileException e) {
      throw notFound(p);
    }
  }

  private static FileNotFoundException notFound(Path p) {
    return new FileNotFoundException("File " + p + " does not exist");
  }
}
