package io.lakemesh.runtime.pipeline;

import java.util.List;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.data.Record;

/** Told about each commit of a product's table with the rows it added or changed. Must not block. */
@FunctionalInterface
public interface CommitListener {
  void committed(String productId, Snapshot snapshot, List<Record> rows);

  CommitListener NONE = (p, s, r) -> { };

  default CommitListener andThen(CommitListener next) {
    return (p, s, r) -> {
      committed(p, s, r);
      next.committed(p, s, r);
    };
  }
}
