package io.lakemesh.contracts.policy;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.iceberg.data.Record;

/**
 * What one contract role may do with the product.
 *
 * @param role the role name as tokens carry it, e.g. {@code analyst}
 * @param actions what the role may do (read, ingest, admin)
 * @param rowFilter which rows the role reads; empty means every row
 * @param masks how the role sees columns by their ODCS {@code classification} (keys in lower case); a
 *     classification without a mask is shown in clear
 */
public record RoleAccess(
    String role, Set<Action> actions, Optional<RowAccessFilter> rowFilter, Map<String, ColumnMask> masks) {

  public RoleAccess {
    actions = actions.isEmpty() ? Set.of() : Collections.unmodifiableSet(EnumSet.copyOf(actions));
    rowFilter = rowFilter == null ? Optional.empty() : rowFilter;
    masks = masks == null ? Map.of() : Map.copyOf(masks);
  }

  public boolean allows(Action action) {
    return actions.contains(action);
  }

  /** Whether the role sees a row (every row when it has no row filter). */
  public boolean sees(Map<String, ?> row, Map<String, ?> claims) {
    return rowFilter.map(f -> f.test(row, claims)).orElse(true);
  }

  /** Whether the role sees an Iceberg row (every row when it has no row filter). */
  public boolean sees(Record row, Map<String, ?> claims) {
    return rowFilter.map(f -> f.test(row, claims)).orElse(true);
  }

  /** The mask of a classification for this role; empty means the role sees such values in clear. */
  public Optional<ColumnMask> maskFor(String classification) {
    return classification == null ? Optional.empty()
        : Optional.ofNullable(masks.get(AccessPolicy.normalize(classification)));
  }
}
