package io.lakemesh.contracts.evolution;

import io.lakemesh.contracts.iceberg.IcebergMapping;
import java.util.List;
import java.util.Objects;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.UpdateSchema;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

/**
 * Evolves a product's typed Iceberg table (silver, gold) to a compatible contract version in place: one schema
 * commit adds the new optional columns (nested ones too, in contract order), applies the type promotions, makes
 * columns optional and updates column docs. Iceberg schema changes are metadata only: no data file is rewritten,
 * and rows written before read the new columns as null.
 *
 * <p>Applying is idempotent: what the table already has is skipped, so a node that crashed between the commit and
 * the rest of a deploy can apply the same diff again.
 */
public final class SchemaEvolution {

  private SchemaEvolution() {}

  /**
   * Applies a compatible diff to the table of its product.
   *
   * @return true when the table's schema changed, false when it already matched
   * @throws IllegalStateException when the diff is not compatible (the message is the rendered diff), or when the
   *     table does not match the running contract
   */
  public static boolean apply(ContractDiff diff, Table table) {
    if (!diff.isCompatible()) {
      throw new IllegalStateException("contract " + diff.proposed().id() + " " + diff.proposed().version()
          + " cannot evolve table " + table.name() + " in place\n" + diff.render());
    }
    Schema target = IcebergMapping.schema(diff.proposed());
    Plan plan = new Plan(table, target);
    for (Change change : diff.changes()) {
      if (change.isFieldChange()) {
        plan.add(change);
      }
    }
    return plan.commit();
  }

  /** The column path of a contract field path: {@code items[].qty} is {@code items.element.qty}. */
  static String columnName(String fieldPath) {
    return fieldPath.replace("[]", ".element");
  }

  /** One schema update over the table, built change by change. */
  private static final class Plan {
    private final Table table;
    private final Schema current;
    private final Schema target;
    private final UpdateSchema update;
    private boolean pending;

    Plan(Table table, Schema target) {
      this.table = table;
      this.current = table.schema();
      this.target = target;
      this.update = table.updateSchema();
    }

    void add(Change change) {
      String column = columnName(change.path());
      switch (change.kind()) {
        case FIELD_ADDED -> addColumn(column);
        case TYPE_PROMOTED -> promote(column);
        case MADE_OPTIONAL -> makeOptional(column);
        case DESCRIPTION_CHANGED -> updateDoc(column);
        default -> {
          // constraints, rules, tags, classification: checked by the validators, not stored in the table
        }
      }
    }

    private void addColumn(String column) {
      Types.NestedField wanted = targetField(column);
      Types.NestedField present = current.findField(column);
      if (present != null) {
        if (!sameShape(present.type(), wanted.type())) {
          throw mismatch("already has column '" + column + "' as " + present.type() + ", the contract adds it as "
              + wanted.type());
        }
        return;
      }
      int dot = column.lastIndexOf('.');
      String parent = dot < 0 ? null : column.substring(0, dot);
      String name = column.substring(dot + 1);
      if (parent != null && current.findField(parent) == null) {
        throw mismatch("has no column '" + parent + "' to add '" + name + "' to");
      }
      // ids of nested fields are assigned fresh by the update
      update.addColumn(parent, name, wanted.type(), wanted.doc());
      placeLikeTheContract(column, parent);
      pending = true;
    }

    /** Iceberg appends a new column to its struct; move it where the contract declares it. */
    private void placeLikeTheContract(String column, String parent) {
      List<Types.NestedField> siblings = parent == null
          ? target.columns()
          : target.findType(parent).asStructType().fields();
      String name = column.substring(column.lastIndexOf('.') + 1);
      String previous = null;
      for (Types.NestedField sibling : siblings) {
        if (sibling.name().equals(name)) {
          break;
        }
        previous = sibling.name();
      }
      if (previous == null) {
        update.moveFirst(column);
      } else {
        update.moveAfter(column, parent == null ? previous : parent + "." + previous);
      }
    }

    private void promote(String column) {
      Types.NestedField present = existing(column);
      Type wanted = targetField(column).type();
      if (present.type().equals(wanted)) {
        return;
      }
      if (!wanted.isPrimitiveType() || !ChangeDetector.isSafePromotion(present.type(), wanted)) {
        throw mismatch("has column '" + column + "' as " + present.type() + ", which cannot be promoted to "
            + wanted);
      }
      update.updateColumn(column, wanted.asPrimitiveType());
      pending = true;
    }

    private void makeOptional(String column) {
      if (existing(column).isRequired()) {
        update.makeColumnOptional(column);
        pending = true;
      }
    }

    private void updateDoc(String column) {
      Types.NestedField present = current.findField(column);
      Types.NestedField wanted = target.findField(column);
      if (present != null && wanted != null && !Objects.equals(present.doc(), wanted.doc())) {
        update.updateColumnDoc(column, wanted.doc());
        pending = true;
      }
    }

    boolean commit() {
      if (pending) {
        update.commit();
      }
      return pending;
    }

    private Types.NestedField existing(String column) {
      Types.NestedField present = current.findField(column);
      if (present == null) {
        throw mismatch("has no column '" + column + "'");
      }
      return present;
    }

    private Types.NestedField targetField(String column) {
      Types.NestedField wanted = target.findField(column);
      if (wanted == null) {
        // the diff and the proposed contract disagree: a bug, not a user error
        throw new IllegalStateException("the proposed contract has no column '" + column + "'");
      }
      return wanted;
    }

    private IllegalStateException mismatch(String what) {
      return new IllegalStateException("table " + table.name() + " " + what
          + "; it does not match the running contract");
    }
  }

  /** Equal types up to field ids: what a column added by an earlier run of the same diff looks like. */
  private static boolean sameShape(Type a, Type b) {
    if (a.isPrimitiveType() || b.isPrimitiveType()) {
      return a.equals(b);
    }
    if (a.typeId() != b.typeId()) {
      return false;
    }
    List<Types.NestedField> fa = a.asNestedType().fields();
    List<Types.NestedField> fb = b.asNestedType().fields();
    if (fa.size() != fb.size()) {
      return false;
    }
    for (int i = 0; i < fa.size(); i++) {
      Types.NestedField x = fa.get(i);
      Types.NestedField y = fb.get(i);
      if (!x.name().equals(y.name()) || x.isOptional() != y.isOptional() || !sameShape(x.type(), y.type())) {
        return false;
      }
    }
    return true;
  }
}
