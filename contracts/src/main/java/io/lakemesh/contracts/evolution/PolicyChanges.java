package io.lakemesh.contracts.evolution;

import io.lakemesh.contracts.Problem;
import io.lakemesh.contracts.model.Contract;
import io.lakemesh.contracts.policy.AccessPolicy;
import io.lakemesh.contracts.policy.Action;
import io.lakemesh.contracts.policy.ColumnMask;
import io.lakemesh.contracts.policy.RoleAccess;
import io.lakemesh.contracts.policy.RowAccessFilter;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The access-policy part of a contract diff: roles, their actions, row filters and masks. Anything that lets some
 * caller see or do more than before is breaking on the same major version, so that a reviewer has to look at access
 * widening; anything that only restricts is compatible.
 *
 * <p>A changed row filter is judged widening unless the expression is identical: whether one CEL expression admits
 * a subset of another's rows cannot be decided in general. A mask change is compatible only when the new masked
 * value can be computed from the old one (so it cannot disclose more): any mask to {@code null}, any mask but
 * {@code null} to {@code redact}, {@code last-N} to {@code last-M} with M &lt; N. Everything else (e.g. {@code redact}
 * to {@code last-4}, {@code last-4} to {@code hash}, which discloses equality of whole values) is widening.
 */
final class PolicyChanges {
  private final Contract running;
  private final Contract proposed;
  private final List<Change> changes;

  private PolicyChanges(Contract running, Contract proposed, List<Change> changes) {
    this.running = running;
    this.proposed = proposed;
    this.changes = changes;
  }

  /** Appends the policy changes between two contracts to {@code changes}. */
  static void compare(Contract running, Contract proposed, List<Change> changes) {
    new PolicyChanges(running, proposed, changes).compare();
  }

  private void compare() {
    // judged as a node serves it: in a contract of several tables a role may fit only some of them
    List<Problem> problemsA = AccessPolicy.servingProblems(running);
    List<Problem> problemsB = AccessPolicy.servingProblems(proposed);
    if (!problemsA.isEmpty() || !problemsB.isEmpty()) {
      // a parsed contract never gets here; a policy that cannot be read cannot be judged, so a reviewer must look
      String which = !problemsB.isEmpty() ? "proposed" : "running";
      List<Problem> problems = !problemsB.isEmpty() ? problemsB : problemsA;
      breaking(ChangeKind.ROLE_ACCESS_CHANGED, "/roles", "the access policy of the " + which + " contract is invalid"
          + " (" + problems.get(0) + "), so access changes cannot be judged");
      return;
    }
    // the salt only matters for hashing values; masks are compared by name
    AccessPolicy a = AccessPolicy.of(running, new byte[0]);
    AccessPolicy b = AccessPolicy.of(proposed, new byte[0]);
    Map<String, RoleAccess> before = byName(a.roles());
    Map<String, RoleAccess> after = byName(b.roles());
    before.forEach((name, role) -> {
      if (!after.containsKey(name)) {
        compatible(ChangeKind.ROLE_REMOVED, rolePath(running, name), "role '" + name + "' (" + actions(role.actions())
            + ") is removed: its holders lose that access");
      }
    });
    after.forEach((name, role) -> {
      RoleAccess old = before.get(name);
      if (old == null) {
        breaking(ChangeKind.ROLE_ADDED, rolePath(proposed, name), "role '" + name + "' is added with "
            + actions(role.actions()) + describeReading(role) + ": its holders gain access");
        return;
      }
      actions(name, old, role);
      if (old.allows(Action.READ) && role.allows(Action.READ)) {
        rowFilter(name, old.rowFilter(), role.rowFilter());
        masks(name, old.masks(), role.masks(), b.classifiedColumns());
        reclassified(name, old, role, a.classifiedColumns(), b.classifiedColumns());
      }
    });
  }

  private void actions(String name, RoleAccess old, RoleAccess role) {
    Set<Action> gained = EnumSet.noneOf(Action.class);
    gained.addAll(role.actions());
    gained.removeAll(old.actions());
    Set<Action> lost = EnumSet.noneOf(Action.class);
    lost.addAll(old.actions());
    lost.removeAll(role.actions());
    if (gained.isEmpty() && lost.isEmpty()) {
      return;
    }
    String sentence = "actions of role '" + name + "' change from " + actions(old.actions()) + " to "
        + actions(role.actions());
    if (gained.isEmpty()) {
      compatible(ChangeKind.ROLE_ACCESS_CHANGED, rolePath(proposed, name), sentence + ": it loses " + actions(lost));
    } else {
      breaking(ChangeKind.ROLE_ACCESS_CHANGED, rolePath(proposed, name), sentence + ": it gains " + actions(gained)
          + (gained.contains(Action.READ) ? describeReading(role) : ""));
    }
  }

  private void rowFilter(String name, Optional<RowAccessFilter> old, Optional<RowAccessFilter> now) {
    String was = old.map(RowAccessFilter::source).orElse(null);
    String is = now.map(RowAccessFilter::source).orElse(null);
    if (Objects.equals(was, is)) {
      return;
    }
    String path = propertyPath(name, "lakemeshRowFilter");
    if (is == null) {
      breaking(ChangeKind.ROW_FILTER_CHANGED, path, "row filter of role '" + name + "' ('" + was + "') is removed:"
          + " the role now reads every row");
    } else if (was == null) {
      compatible(ChangeKind.ROW_FILTER_CHANGED, path, "role '" + name + "' gets row filter '" + is
          + "': it reads only the rows that pass it");
    } else {
      breaking(ChangeKind.ROW_FILTER_CHANGED, path, "row filter of role '" + name + "' changes from '" + was
          + "' to '" + is + "': the new filter may show rows the old one hid (which rows cannot be decided, so any"
          + " change counts as widening)");
    }
  }

  /** @param columnsAfter the proposed contract's classified columns, by path: what a removed mask would disclose */
  private void masks(String name, Map<String, ColumnMask> old, Map<String, ColumnMask> now,
      Map<String, String> columnsAfter) {
    Set<String> classifications = new LinkedHashSet<>(old.keySet());
    classifications.addAll(now.keySet());
    String path = propertyPath(name, "lakemeshMasks");
    for (String classification : classifications) {
      ColumnMask was = old.get(classification);
      ColumnMask is = now.get(classification);
      String what = "mask of classification '" + classification + "' for role '" + name + "'";
      if (was != null && is != null && was.name().equals(is.name())) {
        continue;
      }
      if (is == null && columnsAfter.values().stream()
          .noneMatch(c -> c != null && AccessPolicy.normalize(c).equals(classification))) {
        // no column keeps the classification (a column reclassified is judged by reclassified())
        compatible(ChangeKind.MASK_CHANGED, path, what + " (" + was.name() + ") is removed: no column is classified '"
            + classification + "' any more");
      } else if (is == null) {
        breaking(ChangeKind.MASK_CHANGED, path, what + " (" + was.name() + ") is removed: the role now reads such"
            + " columns in clear");
      } else if (was == null) {
        compatible(ChangeKind.MASK_CHANGED, path, "role '" + name + "' gets mask " + is.name()
            + " for classification '" + classification + "': it reads such columns masked");
      } else if (strengthens(was, is)) {
        compatible(ChangeKind.MASK_CHANGED, path, what + " changes from " + was.name() + " to " + is.name()
            + ": it discloses less");
      } else {
        breaking(ChangeKind.MASK_CHANGED, path, what + " changes from " + was.name() + " to " + is.name()
            + ": it discloses what " + was.name() + " hid");
      }
    }
  }

  /** A column whose classification changes can lose its mask (or get a weaker one) without any mask changing. */
  private void reclassified(String name, RoleAccess old, RoleAccess role, Map<String, String> columnsBefore,
      Map<String, String> columnsAfter) {
    Set<String> columns = new LinkedHashSet<>(columnsBefore.keySet());
    columns.addAll(columnsAfter.keySet());
    for (String column : columns) {
      String classBefore = columnsBefore.get(column);
      String classAfter = columnsAfter.get(column);
      if (Objects.equals(classBefore, classAfter)) {
        continue; // a mask change of the same classification is reported by masks()
      }
      if (classAfter == null && !io.lakemesh.contracts.model.Field.paths(proposed.table().fields()).contains(column)) {
        continue; // removed, not disclosed: the field's removal is reported with the fields
      }
      ColumnMask was = old.maskFor(classBefore).orElse(null);
      ColumnMask is = role.maskFor(classAfter).orElse(null);
      if (was != null && disclosesMore(was, is)) {
        breaking(ChangeKind.MASK_CHANGED, column, "role '" + name + "' reads '" + column + "' "
            + (is == null ? "in clear" : "as " + is.name()) + " instead of " + was.name() + ": its classification"
            + " changes from " + quote(classBefore) + " to " + quote(classAfter));
      }
    }
  }

  /** True when {@code now} may show something {@code was} hid; {@code now} null means in clear. */
  private static boolean disclosesMore(ColumnMask was, ColumnMask now) {
    return now == null || !was.name().equals(now.name()) && !strengthens(was, now);
  }

  /** True when the value masked by {@code now} can be computed from the value masked by {@code was}. */
  static boolean strengthens(ColumnMask was, ColumnMask now) {
    if (now instanceof ColumnMask.Nullify) {
      return true; // a null value stays null under every mask, so null tells nothing more than any mask
    }
    if (now instanceof ColumnMask.Redact) {
      return !(was instanceof ColumnMask.Nullify); // redact tells only whether there is a value
    }
    return was instanceof ColumnMask.LastN w && now instanceof ColumnMask.LastN n && n.n() < w.n();
  }

  private static String describeReading(RoleAccess role) {
    if (!role.allows(Action.READ)) {
      return "";
    }
    return role.rowFilter().map(f -> " (rows where " + f.source() + ")").orElse(" (every row)");
  }

  private static String actions(Set<Action> actions) {
    return actions.isEmpty() ? "no actions"
        : actions.stream().map(Action::contractName).collect(Collectors.joining(", ", "[", "]"));
  }

  private static String quote(String s) {
    return s == null ? "(none)" : "'" + s + "'";
  }

  private static Map<String, RoleAccess> byName(List<RoleAccess> roles) {
    Map<String, RoleAccess> m = new LinkedHashMap<>();
    roles.forEach(r -> m.put(r.role(), r));
    return m;
  }

  /** The pointer of a role in a contract, e.g. {@code /roles/1}. */
  private static String rolePath(Contract contract, String name) {
    List<Contract.RoleGrant> grants = contract.roles();
    for (int i = 0; i < grants.size(); i++) {
      if (name.equals(grants.get(i).role())) {
        return "/roles/" + i;
      }
    }
    return "/roles";
  }

  /** The pointer of a role property in the proposed contract, or of the role when the property is gone. */
  private String propertyPath(String name, String property) {
    String role = rolePath(proposed, name);
    List<Contract.RoleGrant> grants = proposed.roles();
    for (Contract.RoleGrant grant : grants) {
      if (!name.equals(grant.role())) {
        continue;
      }
      List<Contract.CustomProperty> custom = grant.customProperties();
      for (int j = 0; j < custom.size(); j++) {
        if (property.equals(custom.get(j).property())) {
          return role + "/customProperties/" + j + "/value";
        }
      }
    }
    return role;
  }

  private void compatible(ChangeKind kind, String path, String sentence) {
    changes.add(Change.compatible(kind, path, sentence));
  }

  private void breaking(ChangeKind kind, String path, String sentence) {
    changes.add(Change.breaking(kind, path, sentence));
  }
}
