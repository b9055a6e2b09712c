package io.lakemesh.contracts;

import io.lakemesh.contracts.cel.InvalidExpressionException;
import io.lakemesh.contracts.cel.RowExpressions;
import io.lakemesh.contracts.iceberg.IcebergMapping;
import io.lakemesh.contracts.model.Contract;
import io.lakemesh.contracts.model.ContractMetadata;
import io.lakemesh.contracts.model.Field;
import io.lakemesh.contracts.model.LogicalType;
import io.lakemesh.contracts.model.QualityRule;
import io.lakemesh.contracts.model.Stage;
import io.lakemesh.contracts.policy.AccessPolicy;
import io.lakemesh.contracts.sla.ServiceLevels;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** Lakemesh's checks beyond the ODCS JSON Schema: things a schema cannot see. */
final class SemanticChecks {
  private static final Pattern PRODUCT_ID = Pattern.compile("[a-z][a-z0-9_-]*\\.[a-z][a-z0-9_.-]*");

  private SemanticChecks() {}

  static List<Problem> check(Contract contract) {
    List<Problem> problems = new ArrayList<>();
    if (!PRODUCT_ID.matcher(contract.id()).matches()) {
      problems.add(new Problem("/id", "a product id is '<domain>.<name>' in lower case, e.g. retail.transactions;"
          + " got '" + contract.id() + "'"));
    }
    if (contract.domain() == null || contract.domain().isBlank()) {
      problems.add(new Problem("/domain", "the owning domain is required"));
    } else if (!contract.id().startsWith(contract.domain() + ".")) {
      problems.add(new Problem("/id", "the id must start with its domain '" + contract.domain() + ".'"));
    }
    String base = "/schema/0/properties";
    checkFields(contract.table().fields(), base, problems);
    checkPositions(contract, problems);
    if (contract.stage() != Stage.SOURCE && (contract.settings().upstream() == null)) {
      problems.add(new Problem("/customProperties", "a " + contract.stage().odcsName()
          + " product needs lakemeshUpstream naming the product it derives from"));
    }
    if (contract.stage() == Stage.SOURCE && contract.primaryKey().isEmpty()) {
      problems.add(new Problem(base, "a source product needs a primary key (primaryKey: true) to deduplicate"));
    }
    if (contract.settings().partitions() < 1 || contract.settings().partitions() > 1024) {
      problems.add(new Problem("/customProperties", "lakemeshPartitions must be between 1 and 1024"));
    }
    checkRules(contract, problems);
    checkRelationships(contract, problems);
    problems.addAll(AccessPolicy.problems(contract));
    problems.addAll(ServiceLevels.problems(contract));
    return problems;
  }

  /**
   * A relationship must start at a property of this contract, and one that points into this contract's own object
   * must point at a property that exists; references into other contracts cannot be checked here.
   */
  private static void checkRelationships(Contract contract, List<Problem> problems) {
    String object = contract.table().name();
    for (ContractMetadata.Relationship rel : contract.metadata().relationships()) {
      if (rel.from().isEmpty() || rel.to().isEmpty()) {
        problems.add(new Problem(rel.path(), "a relationship needs both 'from' and 'to'"));
        continue;
      }
      if (rel.from().size() != rel.to().size()) {
        problems.add(new Problem(rel.path(), "'from' and 'to' must name as many properties as each other"));
      }
      for (String from : rel.from()) {
        if (!resolves(contract, object, from)) {
          problems.add(new Problem(rel.path() + "/from", "'" + from + "' is not a property of " + object));
        }
      }
      for (String to : rel.to()) {
        if (to.startsWith(object + ".") && !resolves(contract, object, to)) {
          problems.add(new Problem(rel.path() + "/to", "'" + to + "' is not a property of " + object));
        }
      }
    }
  }

  private static boolean resolves(Contract contract, String object, String reference) {
    String path = reference.startsWith(object + ".") ? reference.substring(object.length() + 1) : reference;
    List<Field> fields = contract.table().fields();
    Field found = null;
    for (String part : path.split("\\.")) {
      found = null;
      for (Field f : fields) {
        if (f.name().equals(part)) {
          found = f;
        }
      }
      if (found == null) {
        return false;
      }
      fields = found.items() != null ? found.items().properties() : found.properties();
    }
    return found != null;
  }

  private static void checkFields(List<Field> fields, String path, List<Problem> problems) {
    Set<String> names = new HashSet<>();
    for (int i = 0; i < fields.size(); i++) {
      Field f = fields.get(i);
      String p = path + "/" + i;
      if (!names.add(f.name())) {
        problems.add(new Problem(p + "/name", "duplicate property name '" + f.name() + "'"));
      }
      if (f.options().pattern() != null) {
        try {
          Pattern.compile(f.options().pattern());
        } catch (PatternSyntaxException e) {
          problems.add(new Problem(p + "/logicalTypeOptions/pattern", "not a valid regular expression: "
              + e.getDescription()));
        }
      }
      if (f.type() == LogicalType.NUMBER && f.physicalType() != null
          && f.physicalType().toLowerCase().startsWith("decimal") && IcebergMapping.decimalOf(f) == null) {
        problems.add(new Problem(p + "/physicalType", "write decimal precision and scale as decimal(p,s)"));
      }
      if (f.partitionTransform() != null && !IcebergMapping.isKnownTransform(f.partitionTransform())) {
        problems.add(new Problem(p + "/customProperties", "unknown partition transform '" + f.partitionTransform()
            + "' (identity, year, month, day, hour, bucket[N], truncate[N])"));
      }
      checkFields(f.properties(), p + "/properties", problems);
      if (f.items() != null) {
        checkFields(f.items().properties(), p + "/items/properties", problems);
      }
    }
  }

  private static void checkPositions(Contract contract, List<Problem> problems) {
    List<Field> top = contract.table().fields();
    List<Integer> pk = new ArrayList<>();
    List<Integer> partitions = new ArrayList<>();
    for (Field f : top) {
      if (f.isPrimaryKey()) {
        pk.add(f.primaryKeyPosition());
        if (f.type() == LogicalType.OBJECT || f.type() == LogicalType.ARRAY) {
          problems.add(new Problem("/schema/0/properties/" + top.indexOf(f), "primary key '" + f.name()
              + "' must be a scalar"));
        }
      }
      if (f.isPartitioned()) {
        partitions.add(f.partitionKeyPosition());
        if (f.type() == LogicalType.OBJECT || f.type() == LogicalType.ARRAY) {
          problems.add(new Problem("/schema/0/properties/" + top.indexOf(f), "partition column '" + f.name()
              + "' must be a scalar"));
        }
      }
    }
    checkSequence(pk, "primaryKeyPosition", problems);
    checkSequence(partitions, "partitionKeyPosition", problems);
  }

  private static void checkSequence(List<Integer> positions, String what, List<Problem> problems) {
    List<Integer> sorted = positions.stream().sorted().toList();
    for (int i = 0; i < sorted.size(); i++) {
      if (sorted.get(i) != i + 1) {
        problems.add(new Problem("/schema/0/properties", what + " values must be 1.." + sorted.size()
            + " without gaps or repeats; got " + sorted));
        return;
      }
    }
  }

  private static void checkRules(Contract contract, List<Problem> problems) {
    RowExpressions env = RowExpressions.forFields(contract.table().fields());
    Set<String> names = new HashSet<>();
    List<QualityRule> all = new ArrayList<>(contract.table().quality());
    contract.table().fields().forEach(f -> all.addAll(f.quality()));
    for (QualityRule rule : all) {
      String where = rule.field() == null ? "/schema/0/quality" : "/schema/0/properties (" + rule.field() + ")";
      if (!names.add(rule.name())) {
        problems.add(new Problem(where, "duplicate rule name '" + rule.name() + "': rule names are reason codes"));
      }
      if (rule instanceof QualityRule.Cel cel) {
        try {
          env.compile(cel.expression());
        } catch (InvalidExpressionException e) {
          problems.add(new Problem(where, "rule '" + cel.name() + "': " + e.getMessage().replace('\n', ' ')));
        }
      }
      if (rule instanceof QualityRule.Library lib) {
        if (lib.field() == null && !List.of("rowCount", "duplicateValues").contains(lib.metric())) {
          problems.add(new Problem(where, "rule '" + lib.name() + "': metric " + lib.metric()
              + " belongs on a property"));
        }
        if (lib.pattern() != null) {
          try {
            Pattern.compile(lib.pattern());
          } catch (PatternSyntaxException e) {
            problems.add(new Problem(where, "rule '" + lib.name() + "': invalid pattern: " + e.getDescription()));
          }
        }
      }
    }
  }
}
