package io.lakemesh.runtime.security;

import io.lakemesh.contracts.policy.ColumnMask;
import io.lakemesh.contracts.policy.ReadAccess;
import java.util.Map;
import java.util.Optional;
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
   * What masked value a filter would disclose, as "x" or "a' as a whole, which holds 'a.x" (it reads it, something
   * inside it, or an object or list holding it as a whole), or empty when it reads none: a filter on a masked value tells its values apart, which the mask hides.
   * Members beside a masked one may be filtered on ({@code buyer.address.city} while {@code buyer.email} is masked).
   */
  public Optional<String> disclosedBy(io.lakemesh.contracts.cel.RowPredicate filter) {
    if (access == null || access.maskedColumns().isEmpty()) {
      return Optional.empty();
    }
    if (filter.referencedColumns().contains("*")) {
      // row[name], size(row), "x" in row: any column may be read, a masked one too
      return Optional.of("row' as a whole (row[...], size(row) or \"...\" in row), which holds '"
          + new java.util.TreeSet<>(access.maskedColumns()).first());
    }
    for (String read : filter.reads()) {
      for (String masked : access.maskedColumns()) {
        if (read.equals(masked) || inside(read, masked)) {
          return Optional.of(masked);
        }
        if (inside(masked, read)) {
          return Optional.of(read + "' as a whole, which holds '" + masked);
        }
      }
    }
    return Optional.empty();
  }

  /** Why a filter is refused for this caller (rows API and streams alike), or empty when it is not. */
  public Optional<String> filterRefusal(io.lakemesh.contracts.cel.RowPredicate filter) {
    return disclosedBy(filter).map(what -> "the filter uses '" + what + "', which is masked for your roles:"
        + " filtering on it would disclose the values the mask hides");
  }

  /** Whether {@code path} lies inside {@code container} ({@code a.b} or {@code a[]} inside {@code a}). */
  private static boolean inside(String path, String container) {
    return path.startsWith(container + ".") || path.startsWith(container + "[");
  }

  /**
   * Whether a value at {@code field} (a reason's path, {@code lines[2].card}) is masked for this caller, lies inside
   * a masked one, or holds one: a message about it could show what the mask hides.
   */
  public boolean masksAnyOf(String field) {
    if (access == null) {
      return false;
    }
    String path = field.replaceAll("\\[\\d+]", "[]");
    return access.maskedColumns().stream().anyMatch(m -> path.equals(m) || inside(path, m) || inside(m, path));
  }

  /** Whether a whole column is masked for this caller (a selected column would show no more than that). */
  public boolean masksWhole(String column) {
    return access != null && access.maskedColumns().contains(column);
  }
}
