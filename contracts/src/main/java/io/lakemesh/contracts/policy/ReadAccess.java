package io.lakemesh.contracts.policy;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import org.apache.iceberg.data.Record;

/**
 * What one caller reads of a product: the union of the rows its reading roles see, each row with the least masking
 * among the roles that see it (see {@link AccessPolicy}). Thread-safe; build one per caller (or per request).
 */
public final class ReadAccess {
  private final List<RoleAccess> roles;
  private final List<Map<String, ColumnMask>> columnMasks;
  private final boolean allRows;
  private final Set<String> maskedColumns;

  ReadAccess(List<RoleAccess> roles, Map<String, String> classifiedColumns) {
    this.roles = List.copyOf(roles);
    this.columnMasks = roles.stream().map(r -> columnMasks(r, classifiedColumns)).toList();
    this.allRows = roles.stream().anyMatch(r -> r.rowFilter().isEmpty());
    Set<String> masked = new LinkedHashSet<>();
    for (String column : classifiedColumns.keySet()) {
      // in clear everywhere only if a role that sees every row leaves it in clear
      boolean clearEverywhere = false;
      for (int i = 0; i < roles.size(); i++) {
        if (roles.get(i).rowFilter().isEmpty() && !columnMasks.get(i).containsKey(column)) {
          clearEverywhere = true;
        }
      }
      if (!clearEverywhere) {
        masked.add(column);
      }
    }
    this.maskedColumns = Collections.unmodifiableSet(masked);
  }

  /** The caller's roles that grant read, in contract order. */
  public List<RoleAccess> roles() {
    return roles;
  }

  /** True when some reading role has no row filter: the caller sees every row. */
  public boolean allRows() {
    return allRows;
  }

  /**
   * Columns (paths as in {@link AccessPolicy#classifiedColumns()}) that are masked on at least some rows for this
   * caller. Filtering or sorting on them would disclose what the mask hides, so callers must not be allowed to.
   */
  public Set<String> maskedColumns() {
    return maskedColumns;
  }

  /**
   * The masks for a row: column path → mask, only masked columns listed; empty when the caller may not see the row
   * at all.
   */
  public Optional<Map<String, ColumnMask>> view(Map<String, ?> row, Map<String, ?> claims) {
    return view(r -> r.sees(row, claims));
  }

  /** The masks for an Iceberg row; empty when the caller may not see it at all. */
  public Optional<Map<String, ColumnMask>> view(Record row, Map<String, ?> claims) {
    return view(r -> r.sees(row, claims));
  }

  private Optional<Map<String, ColumnMask>> view(Predicate<RoleAccess> sees) {
    Map<String, ColumnMask> combined = null;
    for (int i = 0; i < roles.size(); i++) {
      if (!sees.test(roles.get(i))) {
        continue;
      }
      Map<String, ColumnMask> masks = columnMasks.get(i);
      if (combined == null) {
        combined = masks;
      } else {
        combined = leastMasking(combined, masks);
      }
      if (combined.isEmpty()) {
        break; // nothing masked: no other role can show more
      }
    }
    return Optional.ofNullable(combined);
  }

  private static Map<String, ColumnMask> leastMasking(Map<String, ColumnMask> a, Map<String, ColumnMask> b) {
    Map<String, ColumnMask> out = new LinkedHashMap<>();
    a.forEach((column, mask) -> {
      ColumnMask other = b.get(column);
      if (other != null) {
        out.put(column, ColumnMask.leastMasking(mask, other));
      }
    });
    return Collections.unmodifiableMap(out);
  }

  private static Map<String, ColumnMask> columnMasks(RoleAccess role, Map<String, String> classifiedColumns) {
    Map<String, ColumnMask> masks = new LinkedHashMap<>();
    classifiedColumns.forEach((column, classification) ->
        role.maskFor(classification).ifPresent(m -> masks.put(column, m)));
    return Collections.unmodifiableMap(masks);
  }
}
