package io.lakemesh.contracts.policy;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/** What a role may do with a data product. Deny by default: a caller may do only what one of its roles grants. */
public enum Action {
  /** Read rows, aggregates, streams and exports (through the role's row filter and column masks). */
  READ,
  /** Post events into a source product. */
  INGEST,
  /**
   * Administer the product: pause, resume and replay it on the management port. Contract versions are deployed by
   * the platform (contract files on the nodes), and anything cluster-wide stays the platform admin's.
   */
  ADMIN;

  /** The name contracts use: {@code read}, {@code ingest}, {@code admin}. */
  public String contractName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The action a {@code lakemeshActions} entry names, if it is one. */
  public static Optional<Action> of(String name) {
    if (name == null) {
      return Optional.empty();
    }
    return switch (name.trim().toLowerCase(Locale.ROOT)) {
      case "read" -> Optional.of(READ);
      case "ingest" -> Optional.of(INGEST);
      case "admin" -> Optional.of(ADMIN);
      default -> Optional.empty();
    };
  }

  /**
   * The actions an ODCS {@code access} value grants: {@code read} → read, {@code write} → ingest,
   * {@code read-write} → read and ingest. Admin is never implied; it is granted by {@code lakemeshActions} only.
   */
  public static Optional<Set<Action>> ofOdcsAccess(String access) {
    if (access == null) {
      return Optional.empty();
    }
    return switch (access.trim().toLowerCase(Locale.ROOT)) {
      case "read" -> Optional.of(EnumSet.of(READ));
      case "write" -> Optional.of(EnumSet.of(INGEST));
      case "read-write", "readwrite", "read_write" -> Optional.of(EnumSet.of(READ, INGEST));
      default -> Optional.empty();
    };
  }
}
