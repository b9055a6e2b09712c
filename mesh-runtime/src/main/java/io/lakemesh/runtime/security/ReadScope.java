package io.lakemesh.runtime.security;

import io.lakemesh.contracts.policy.ColumnMask;
import io.lakemesh.contracts.policy.ReadAccess;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.iceberg.data.Record;

/**
 * What one caller reads of one product: which rows (the contract's row filters over the caller's claims) and how
 * each is masked. The platform admin reads everything in clear.
 */
public final class ReadScope {
  private static final ReadScope EVERYTHING = new ReadScope(null, Map.of());

  private final ReadAccess access;
  private final Map<String, Object> claims;

  private ReadScope(ReadAccess access, Map<String, Object> claims) {
    this.access = access;
    this.claims = claims;
  }

  /** Every row, every column in clear. */
  public static ReadScope everything() {
    return EVERYTHING;
  }

  /** The rows and masks the contract's reading roles give a caller with these claims. */
  public static ReadScope of(ReadAccess access, Map<String, Object> claims) {
    return new ReadScope(access, claims);
  }

  /** True for the admin: no row is hidden, nothing is masked. */
  public boolean unrestricted() {
    return access == null;
  }

  /** The masks of an Iceberg row (only masked columns listed); empty when the caller may not see the row. */
  public Optional<Map<String, ColumnMask>> masks(Record row) {
    return access == null ? Optional.of(Map.of()) : access.view(row, claims);
  }

  /** The masks of a row given as JSON-like values; empty when the caller may not see it. */
  public Optional<Map<String, ColumnMask>> masks(Map<String, ?> row) {
    return access == null ? Optional.of(Map.of()) : access.view(row, claims);
  }

  /**
   * Top-level columns masked on at least some rows for this caller: they may not appear in the caller's filter or
   * selection, which would disclose what the mask hides.
   */
  public Set<String> maskedColumns() {
    if (access == null) {
      return Set.of();
    }
    Set<String> roots = new LinkedHashSet<>();
    for (String path : access.maskedColumns()) {
      roots.add(path.split("[.\\[]", 2)[0]);
    }
    return roots;
  }
}
