package io.lakemesh.runtime.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Lets a writer that produces many files fsync them in the background while it writes the next ones, and wait for
 * all of them at the end: {@link #collect} runs the work with the current thread's file closes deferred, then
 * returns only when every file closed in it is on the device.
 *
 * <p>Why: a micro-batch of a day x region table is ~50 Parquet files, and an fsync costs milliseconds of waiting on
 * the disk; one after another they were a third of the silver write's time. In flight together they overlap the
 * writing and share the file system's journal commits. The guarantee is unchanged: {@link TableWriter#write}
 * returns files only once they are durable, so no commit can point at bytes a power loss takes back.
 */
final class DeferredSyncs {
  /** Threads that only wait on the disk: enough for a batch's files to be in flight together. */
  private static final ExecutorService SYNCERS = Executors.newFixedThreadPool(16, new java.util.concurrent
      .ThreadFactory() {
        private final AtomicInteger count = new AtomicInteger();

        @Override
        public Thread newThread(Runnable r) {
          Thread t = new Thread(r, "lakemesh-fsync-" + count.incrementAndGet());
          t.setDaemon(true);
          return t;
        }
      });
  private static final ThreadLocal<List<CompletableFuture<Void>>> PENDING = new ThreadLocal<>();

  private DeferredSyncs() {}

  /**
   * Runs {@code work}; files closed on this thread meanwhile are forced and closed in the background, and this
   * returns (or throws the first failure) when all of them are.
   */
  static <T> T collect(Supplier<T> work) {
    if (PENDING.get() != null) {
      return work.get(); // nested: the outer collect waits
    }
    List<CompletableFuture<Void>> pending = new ArrayList<>();
    PENDING.set(pending);
    T result;
    try {
      result = work.get();
    } catch (RuntimeException | Error e) {
      PENDING.remove();
      // the caller deletes what was written: let the syncs finish first, and keep their failures with the cause
      for (CompletableFuture<Void> sync : pending) {
        try {
          sync.join();
        } catch (CompletionException failed) {
          e.addSuppressed(failed.getCause());
        }
      }
      throw e;
    }
    PENDING.remove();
    awaitAll(pending);
    return result;
  }

  /**
   * Forces and closes {@code channel}: in the background when the current thread is inside {@link #collect}, else
   * now.
   */
  static void forceAndClose(FileChannel channel) throws IOException {
    List<CompletableFuture<Void>> pending = PENDING.get();
    if (pending == null) {
      try (channel) {
        channel.force(true);
      }
      return;
    }
    pending.add(CompletableFuture.runAsync(() -> {
      try (channel) {
        channel.force(true);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }, SYNCERS));
  }

  private static void awaitAll(List<CompletableFuture<Void>> pending) {
    try {
      CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof UncheckedIOException io) {
        throw new UncheckedIOException("cannot sync a data file: " + io.getCause().getMessage(), io.getCause());
      }
      throw e;
    }
  }
}
