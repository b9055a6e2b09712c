package io.lakemesh.contracts.evolution;

import java.util.Objects;

/**
 * One difference between a running and a proposed contract.
 *
 * @param path where: a dotted field path ({@code total_amount}, {@code customer.email}, {@code items[].qty} for a
 *     field of an array's items, {@code items[]} for the items themselves), {@code primaryKey} or
 *     {@code partitioning}, or a JSON pointer into the document for everything else ({@code /id},
 *     {@code /customProperties/lakemeshStage})
 * @param description one sentence a person can act on
 * @param breaking true when consumers or the stored data can no longer follow on the same major version
 */
public record Change(ChangeKind kind, String path, String description, boolean breaking) {
  static final String PRIMARY_KEY = "primaryKey";
  static final String PARTITIONING = "partitioning";

  public Change {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(description, "description");
  }

  static Change compatible(ChangeKind kind, String path, String description) {
    return new Change(kind, path, description, false);
  }

  static Change breaking(ChangeKind kind, String path, String description) {
    return new Change(kind, path, description, true);
  }

  /** True when the path names a field of the schema (not a key, a partitioning or a document pointer). */
  public boolean isFieldChange() {
    return !path.startsWith("/") && !path.equals(PRIMARY_KEY) && !path.equals(PARTITIONING);
  }
}
