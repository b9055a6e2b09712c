package io.lakemesh.runtime.cli;

import io.lakemesh.contracts.aggregate.AggregateExpression;
import io.lakemesh.contracts.aggregate.AggregatePlan;
import io.lakemesh.contracts.iceberg.IcebergMapping;
import io.lakemesh.contracts.model.Contract;
import io.lakemesh.contracts.model.Field;
import io.lakemesh.contracts.model.LogicalType;
import io.lakemesh.contracts.model.QualityRule;
import io.lakemesh.contracts.model.Severity;
import io.lakemesh.contracts.model.Threshold;
import io.lakemesh.contracts.model.TypeOptions;
import io.lakemesh.contracts.policy.AccessPolicy;
import io.lakemesh.contracts.policy.Action;
import io.lakemesh.contracts.policy.RowAccessFilter;
import io.lakemesh.contracts.validate.RowValidator;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.iceberg.PartitionField;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

/**
 * What one contract yields, for people: the product's settings, the Iceberg schema and partition spec, the checks
 * every field gets, the row- and batch-level rules, and the access and SLA sections. Reads the same model and the
 * same Iceberg mapping the runtime uses, so it cannot describe a different product than the one that runs.
 */
final class ContractExplanation {
  private final Contract contract;
  private final Schema schema;
  /** The newest major version of this product among those explained together (a node serves older ones as @v). */
  private final int newestMajor;
  private final List<String> lines = new ArrayList<>();

  private ContractExplanation(Contract contract, int newestMajor) {
    this.contract = contract;
    this.schema = IcebergMapping.schema(contract);
    this.newestMajor = newestMajor;
  }

  static List<String> of(Contract contract) {
    return of(contract, io.lakemesh.runtime.product.Product.majorOf(contract.version()));
  }

  /**
   * @param newestMajor the newest major version of the product among the contracts explained with it: an older one
   *     runs beside it under {@code <id>@v<major>}, as a node serves it
   */
  static List<String> of(Contract contract, int newestMajor) {
    ContractExplanation e = new ContractExplanation(contract, newestMajor);
    e.product();
    e.icebergSchema();
    e.partitionSpec();
    e.aggregation();
    e.validators();
    e.rowRules();
    e.batchRules();
    e.relationships();
    e.access();
    e.sla();
    return e.lines;
  }

  private void heading(String title) {
    if (!lines.isEmpty()) {
      lines.add("");
    }
    lines.add(title);
  }

  private void row(String format, Object... args) {
    lines.add(String.format(Locale.ROOT, format, args).stripTrailing());
  }

  private void product() {
    heading(contract.id() + " " + contract.version() + " (" + contract.status() + ")"
        + (contract.name() == null ? "" : ": " + contract.name()));
    int major = io.lakemesh.runtime.product.Product.majorOf(contract.version());
    if (major < newestMajor) {
      row("  served as %s%s%d beside major version %d, which is %s", contract.id(),
          io.lakemesh.runtime.product.Product.VERSION_SEPARATOR, major, newestMajor, contract.id());
    }
    if (contract.description() != null) {
      row("  %s", contract.description());
    }
    var settings = contract.settings();
    String contractId = contract.document().path("id").asText();
    if (!contractId.equals(contract.id())) {
      // product ids come from the domain and the object when the contract id is not <domain>.<name> (a UUID)
      row("  %-17s %s (schema object '%s' of contract %s)", "product", contract.id(), contract.table().name(),
          contractId);
    }
    row("  %-17s %s%s", "domain", contract.domain(), contract.document().path("domain").asText("").isBlank()
        ? " (the contract names none)" : "");
    row("  %-17s %s", "owner", orDash(contract.owner()));
    row("  %-17s %s (tables: %s)", "stage", contract.stage().odcsName(), String.join(", ",
        contract.stage().tables()));
    row("  %-17s %s", "upstream", orDash(settings.upstream()));
    row("  %-17s %s", "transform", AggregatePlan.isDeclared(contract)
        ? "declared by the columns (see Aggregation)" : orDash(settings.transform()));
    if (contract.stage() == io.lakemesh.contracts.model.Stage.SOURCE) {
      row("  %-17s %d", "kafka partitions", settings.partitions()); // a derived product reads no topic
      row("  %-17s %s%s", "raw topic", io.lakemesh.runtime.log.Topics.rawTopic(contract.id()),
          contract.primaryKey().isEmpty() ? "" : " (records keyed by " + contract.primaryKey().get(0).name()
              + ", murmur2-partitioned: see README, Ingest)");
    }
    row("  %-17s %s", "primary key", contract.primaryKey().isEmpty()
        ? (contract.stage() == io.lakemesh.contracts.model.Stage.SOURCE
            ? "- (none: every accepted event is a row; re-sent events are not deduplicated)" : "-")
        : contract.primaryKey().stream().map(Field::name).collect(Collectors.joining(", ")));
    for (Map.Entry<String, Object> e : settings.extra().entrySet()) {
      row("  %-17s %s", e.getKey(), e.getValue());
    }
  }

  /** A declared gold product: what each column holds, as its transformLogic says. */
  private void aggregation() {
    if (!AggregatePlan.isDeclared(contract)) {
      return;
    }
    heading("Aggregation (from " + contract.settings().upstream() + ", kept incrementally)");
    for (Field f : contract.table().fields()) {
      row("  %-32s %-8s %s", f.name(), f.isPrimaryKey() ? "group by" : "",
          AggregateExpression.parse(f.transformLogic()));
    }
    row("  each upstream row adds to the group its key columns name; where a column reads into an array, each"
        + " element of it does");
  }

  private void icebergSchema() {
    heading("Iceberg schema");
    // the contract alone cannot know a running table's ids: columns added in place get the table's next free ones
    row("  (ids as a new table gets them; a table evolved in place keeps its own, in its Iceberg metadata)");
    row("  %4s  %-32s %-16s %s", "id", "column", "type", "");
    for (Types.NestedField column : schema.columns()) {
      column(column, 0);
    }
    if (!schema.identifierFieldNames().isEmpty()) {
      // in primary-key order (the schema keeps them as a set)
      row("  identifier fields: %s", contract.primaryKey().stream().map(Field::name)
          .filter(schema.identifierFieldNames()::contains).collect(Collectors.joining(", ")));
    }
  }

  private void column(Types.NestedField field, int depth) {
    Type type = field.type();
    String typeName = switch (type.typeId()) {
      case STRUCT -> "struct";
      case LIST -> "list";
      case MAP -> "map";
      default -> type.toString();
    };
    row("  %4d  %-32s %-16s %s", field.fieldId(), "  ".repeat(depth) + field.name(), typeName,
        field.isRequired() ? "required" : "optional");
    if (type.isNestedType()) {
      for (Types.NestedField child : type.asNestedType().fields()) {
        column(child, depth + 1);
      }
    }
  }

  private void partitionSpec() {
    heading("Partition spec");
    PartitionSpec spec = IcebergMapping.partitionSpec(contract, schema);
    if (spec.isUnpartitioned()) {
      row("  unpartitioned");
      return;
    }
    for (PartitionField f : spec.fields()) {
      row("  %4d  %-24s %s(%s)", f.fieldId(), f.name(), f.transform(), schema.findColumnName(f.sourceId()));
    }
  }

  private void validators() {
    heading(contract.stage() == io.lakemesh.contracts.model.Stage.SOURCE
        ? "Field checks (an error sends the event to quarantine, a warning keeps it and counts it)"
        : "Field checks (as the contract declares them; a derived product's rows are computed, not received)");
    for (Field f : contract.table().fields()) {
      field(f, f.name(), f.name());
    }
  }

  /**
   * One line per field, as the row validator compiles it: {@code display} is the path in rejection reasons
   * ({@code items[].qty}), {@code icebergPath} the column's name in the schema ({@code items.element.qty}).
   */
  /** A field and its checks in two columns; a path too long for the first gets a line of its own. */
  private void fieldRow(String display, String checks) {
    if (display.length() > 28) {
      row("  %s", display);
      row("  %-28s %s", "", checks);
    } else {
      row("  %-28s %s", display, checks);
    }
  }

  private void field(Field f, String display, String icebergPath) {
    Type type = schema.findType(icebergPath);
    List<String> checks = new ArrayList<>();
    checks.add(f.isFreeFormObject() ? "object of no declared properties (kept as its JSON text)"
        : type.isListType() && f.items() == null ? "array of items of no declared type (each kept as its JSON text)"
        : type.typeId() == Type.TypeID.DATE && f.options().format() != null
            && !List.of("yyyy-MM-dd", "uuuu-MM-dd", "date", "iso").contains(f.options().format())
            ? "date written " + f.options().format() + " or yyyy-MM-dd (read strictly, stored and shown as yyyy-MM-dd)"
        : typeCheck(type));
    checks.add(f.required() ? "required" : f.isPrimaryKey() ? "required (a primary key column, whatever `required` says)"
        : "optional");
    if (type.typeId() == Type.TypeID.TIMESTAMP) {
      String zone = f.options().defaultTimezone();
      java.time.format.DateTimeFormatter pattern = io.lakemesh.contracts.validate.Timestamps.pattern(
          f.options().format());
      checks.set(0, "timestamp (ISO-8601" + (pattern == null ? "" : " or " + f.options().format()) + ", "
          + (zone == null ? "UTC" : zone) + " if no offset, a date alone its start, or epoch ms; years 1-9999)");
    }
    if (type.typeId() == Type.TypeID.TIME) {
      boolean pattern = io.lakemesh.contracts.validate.Timestamps.timePattern(f.options().format()) != null;
      checks.set(0, "time HH:mm[:ss[.f]]" + (pattern ? " or " + f.options().format() : "")
          + (f.options().format() != null && !pattern ? " (format " + f.options().format() + ": documentation)" : ""));
    }
    checks.addAll(options(f, type));
    if (f.type() == LogicalType.OBJECT) {
      if (!f.options().requiredProperties().isEmpty()) {
        checks.add("members required " + f.options().requiredProperties());
      }
      add(checks, "minProperties", f.options().minProperties());
      add(checks, "maxProperties", f.options().maxProperties());
    }
    for (QualityRule rule : f.quality()) {
      if (rule instanceof QualityRule.Library lib) {
        libraryCheck(lib).ifPresent(checks::add);
      }
    }
    fieldRow(display, String.join("; ", checks));
    if (type.isStructType()) {
      for (Field child : f.properties()) {
        field(child, display + "." + child.name(), icebergPath + "." + child.name());
      }
    } else if (type.isListType() && f.items() != null) {
      Field items = f.items();
      String element = icebergPath + ".element";
      if (items.type() == LogicalType.OBJECT) {
        fieldRow(display + "[]", "object; " + (type.asListType().isElementRequired()
            ? "items may not be null" : "items may be null"));
        for (Field child : items.properties()) {
          field(child, display + "[]." + child.name(), element + "." + child.name());
        }
      } else {
        field(items, display + "[]", element);
      }
    }
  }

  private static String typeCheck(Type type) {
    return switch (type.typeId()) {
      case STRING -> "string";
      case INTEGER -> "integer (32-bit)";
      case LONG -> "integer (64-bit)";
      case DECIMAL -> {
        Types.DecimalType d = (Types.DecimalType) type;
        yield "number as " + d + ": at most " + d.scale() + " decimal places, " + (d.precision() - d.scale())
            + " digits before the point";
      }
      case DOUBLE -> "number (64-bit float, finite)";
      case FLOAT -> "number (32-bit float, finite)";
      case BOOLEAN -> "boolean";
      case DATE -> "date yyyy-MM-dd";
      case TIME -> "time HH:mm[:ss[.f]]";
      case TIMESTAMP -> "timestamp (ISO-8601, UTC if no offset, or epoch ms; years 1-9999)";
      case STRUCT -> "object";
      case LIST -> "array";
      default -> type.toString();
    };
  }

  /** The logicalTypeOptions the validator enforces for this type (others are documentation to it). */
  private static List<String> options(Field f, Type type) {
    TypeOptions o = f.options();
    List<String> out = new ArrayList<>();
    switch (type.typeId()) {
      case STRING -> {
        if (o.format() != null) {
          out.add("format " + o.format() + (io.lakemesh.contracts.validate.StringFormats.check(o.format()).isPresent()
              ? "" : " (not checked; checked formats: " + io.lakemesh.contracts.validate.StringFormats.known()
              + ")"));
        }
        add(out, "pattern", o.pattern());
        add(out, "minLength", o.minLength());
        if (o.maxLength() == null && f.maxLength() != null) {
          out.add("maxLength " + f.maxLength() + " (from physicalType " + f.physicalType().strip() + ")");
        } else {
          add(out, "maxLength", o.maxLength());
        }
      }
      case INTEGER, LONG, DECIMAL, DOUBLE, FLOAT -> {
        add(out, "format", o.format());
        add(out, "minimum", o.minimum());
        add(out, "maximum", o.maximum());
        add(out, "exclusiveMinimum", o.exclusiveMinimum());
        add(out, "exclusiveMaximum", o.exclusiveMaximum());
        add(out, "multipleOf", o.multipleOf() == null ? null : o.multipleOf().toPlainString());
      }
      case DATE, TIME, TIMESTAMP -> {
        add(out, "minimum", o.minimum());
        add(out, "maximum", o.maximum());
        add(out, "exclusiveMinimum", o.exclusiveMinimum());
        add(out, "exclusiveMaximum", o.exclusiveMaximum());
      }

      case LIST -> {
        add(out, "minItems", o.minItems());
        add(out, "maxItems", o.maxItems());
        if (o.uniqueItems()) {
          out.add("uniqueItems");
        }
      }
      default -> {
      }
    }
    return out;
  }

  private static void add(List<String> out, String name, Object value) {
    if (value != null) {
      out.add(name + " " + value);
    }
  }

  /**
   * A property-level library rule the validator judges on each row on its own; a rule with another threshold is
   * judged per batch and listed with the batch rules.
   */
  private static Optional<String> libraryCheck(QualityRule.Library lib) {
    if (!isRowCheck(lib)) {
      return Optional.empty();
    }
    Severity severity = lib.severity();
    String what = switch (lib.metric()) {
      case "invalidValues" -> {
        List<String> parts = new ArrayList<>();
        if (!lib.validValues().isEmpty()) {
          parts.add("one of " + lib.validValues());
        }
        if (lib.pattern() != null) {
          parts.add("matching " + lib.pattern());
        }
        yield parts.isEmpty() ? null : String.join(" and ", parts);
      }
      case "nullValues" -> "not null";
      case "missingValues" -> lib.missingValues().isEmpty() ? "not null or blank"
          : "neither null nor one of " + lib.missingValues().stream().filter(java.util.Objects::nonNull)
              .map(v -> "'" + v + "'").toList(); // quoted: an empty string must show
      default -> null;
    };
    if (what == null) {
      return Optional.empty();
    }
    return Optional.of("rule " + lib.name() + " (" + lib.metric() + "): " + what + " -> " + severityName(severity));
  }

  private void rowRules() {
    heading("Row rules (CEL over the columns, now, sum(list) and abs(x); an error quarantines, a warning counts)");
    List<QualityRule.Cel> rules = RowValidator.celRules(contract);
    if (rules.isEmpty()) {
      row("  none");
      return;
    }
    for (QualityRule.Cel rule : rules) {
      row("  %-24s %-8s %s%s", rule.name(), severityName(rule.severity()), rule.expression(),
          rule.field() == null ? "" : "   (on " + rule.field() + ")");
      if (rule.description() != null) {
        row("  %-24s %-8s %s", "", "", rule.description());
      }
    }
  }

  /** What a batch library rule counts beyond its property: the values it accepts, the columns it judges together. */
  private static String counted(QualityRule.Library lib) {
    List<String> parts = new ArrayList<>();
    if (lib.metric().equals("invalidValues") && !lib.validValues().isEmpty()) {
      parts.add("valid: one of " + lib.validValues().stream().map(v -> "'" + v + "'").toList());
    }
    if (lib.metric().equals("invalidValues") && lib.pattern() != null) {
      parts.add("valid: matching " + lib.pattern());
    }
    if (lib.metric().equals("missingValues") && !lib.missingValues().isEmpty()) {
      parts.add("missing: null or one of " + lib.missingValues().stream().filter(java.util.Objects::nonNull)
          .map(v -> "'" + v + "'").toList());
    }
    if (lib.metric().equals("duplicateValues") && lib.field() == null) {
      parts.add(lib.properties().isEmpty() ? "over the primary key" : "over " + String.join(", ", lib.properties())
          + (lib.properties().size() > 1 ? " together" : ""));
    }
    return parts.isEmpty() ? "" : "   (" + String.join("; ", parts) + ")";
  }

  /** Rules judged over a committed batch: library metrics with a threshold, duplicates, row counts, SQL. */
  private void batchRules() {
    List<QualityRule> all = new ArrayList<>(contract.table().quality());
    contract.table().fields().forEach(f -> collect(f, all));
    List<String> out = new ArrayList<>();
    for (QualityRule rule : all) {
      String on = rule.field() == null ? "" : "   (on " + rule.field() + ")";
      if (rule instanceof QualityRule.Library lib && !isRowCheck(lib)) {
        out.add(String.format(Locale.ROOT, "  %-24s %-8s %s %s%s%s", lib.name(), severityName(lib.severity()),
            lib.metric(), threshold(lib), on, counted(lib)).stripTrailing());
        if (lib.metric().equals("duplicateValues") && contract.stage() == io.lakemesh.contracts.model.Stage.SOURCE
            && io.lakemesh.contracts.validate.BatchChecks.judgesPrimaryKey(lib, contract)) {
          out.add(String.format(Locale.ROOT, "  %-24s %-8s always met in silver, which drops re-sent events by"
              + " primary key (counted as duplicatesDropped)", "", ""));
        }
      } else if (rule instanceof QualityRule.Sql sql) {
        out.add(String.format(Locale.ROOT, "  %-24s %-8s sql: %s -> %s%s", sql.name(), severityName(sql.severity()),
            sql.query().replace('\n', ' ').strip(), threshold(sql.threshold(), false), on));
      }
    }
    if (!out.isEmpty()) {
      heading("Batch rules (judged per committed batch; a critical failure stops the stage)");
      lines.addAll(out);
    }
    List<String> text = new ArrayList<>();
    for (var located : contract.locatedRules()) {
      if (located.rule() instanceof QualityRule.Text t) {
        // what the contract says about the rule, since Lakemesh does not run it: its engine and implementation
        var node = contract.document().at(located.pointer());
        String engine = node.path("engine").asText(node.path("type").asText("text"));
        String what = node.has("implementation") ? node.path("implementation").toString()
            : t.description() == null ? "-" : t.description();
        text.add(String.format(Locale.ROOT, "  %-24s %-8s %s%s", t.name(), engine, what.replace('\n', ' '),
            t.field() == null ? "" : "   (on " + t.field() + ")").stripTrailing());
        if (node.has("severity")) {
          text.add(String.format(Locale.ROOT, "  %-24s %-8s severity %s is not enforced", "", "",
              node.path("severity").asText()));
        }
      }
    }
    if (!text.isEmpty()) {
      heading("Documented rules (text, or an engine other than cel and sql: kept with the contract, not evaluated)");
      lines.addAll(text);
    }
  }

  /** The schema object's relationships, as the contract declares them (references elsewhere are not checked). */
  private void relationships() {
    // a set: ODCS examples declare a foreign key both on the object and on its property
    java.util.Set<String> out = new java.util.LinkedHashSet<>();
    for (var rel : contract.metadata().relationships()) {
      if (rel.path().startsWith(contract.table().pointer() + "/")) {
        out.add("  " + rel.type() + ": " + String.join(", ", rel.from()) + " -> " + String.join(", ", rel.to()));
      }
    }
    if (!out.isEmpty()) {
      heading("Relationships");
      lines.addAll(out);
    }
  }

  /** A library rule the row validator applies to each row on its own (as opposed to counting over a batch). */
  private static boolean isRowCheck(QualityRule.Library lib) {
    return lib.field() != null && lib.rejectsAnyOffender()
        && List.of("invalidValues", "nullValues", "missingValues").contains(lib.metric());
  }

  private static void collect(Field f, List<QualityRule> out) {
    out.addAll(f.quality());
    f.properties().forEach(c -> collect(c, out));
    if (f.items() != null) {
      collect(f.items(), out);
    }
  }

  private static String threshold(QualityRule.Library lib) {
    return threshold(lib.threshold(), lib.percent());
  }

  private static String threshold(Threshold t, boolean percent) {
    String unit = percent ? "%" : "";
    String v = t.value().toPlainString() + unit;
    return switch (t.operator()) {
      case MUST_BE -> "must be " + v;
      case MUST_NOT_BE -> "must not be " + v;
      case GREATER_THAN -> "must be > " + v;
      case GREATER_OR_EQUAL -> "must be >= " + v;
      case LESS_THAN -> "must be < " + v;
      case LESS_OR_EQUAL -> "must be <= " + v;
      case BETWEEN -> "must be between " + v + " and " + t.upper().toPlainString() + unit;
      case NOT_BETWEEN -> "must not be between " + v + " and " + t.upper().toPlainString() + unit;
    };
  }

  private void access() {
    heading("Roles");
    if (contract.roles().isEmpty()) {
      row("  none");
    }
    AccessPolicy policy = AccessPolicy.of(contract);
    for (Contract.RoleGrant role : contract.roles()) {
      row("  %-16s %-11s %s", role.role(), orDash(role.access()), role.description() == null ? ""
          : role.description());
      policy.role(role.role()).ifPresent(access -> {
        row("  %-16s actions: %s", "", access.actions().stream().map(a -> a.name().toLowerCase(Locale.ROOT))
            .collect(Collectors.joining(", ")));
        if (access.allows(Action.READ)) {
          // a role of a contract of several tables may be written for another of them
          String rows = access.rowFilter().map(RowAccessFilter::source).orElse("every row");
          boolean writtenFalse = role.customProperties().stream().anyMatch(c -> "lakemeshRowFilter".equals(
              c.property()) && "false".equals(String.valueOf(c.value()).strip()));
          row("  %-16s rows: %s", "", rows.equals("false") && !writtenFalse
              ? "none of this table's (the row filter reads columns it does not have)" : rows);
          java.util.Set<String> here = new java.util.HashSet<>(policy.classifiedColumns().values());
          row("  %-16s masks: %s", "", access.masks().isEmpty() ? "none (every column in clear)"
              : new TreeMap<>(access.masks()).entrySet().stream()
                  .map(m -> m.getKey() + " -> " + m.getValue().name()
                      + (here.contains(m.getKey()) ? "" : " (no column of this table)"))
                  .collect(Collectors.joining(", ")));
        }
      });
    }
    List<String> classified = new ArrayList<>();
    contract.table().fields().forEach(f -> classified(f, f.name(), classified));
    if (!classified.isEmpty()) {
      heading("Classified columns (masked per role by the access policy)");
      lines.addAll(classified);
    }
  }

  private static void classified(Field f, String path, List<String> out) {
    if (f.classification() != null) {
      out.add(String.format(Locale.ROOT, "  %-28s %s", path, f.classification()));
    }
    f.properties().forEach(c -> classified(c, path + "." + c.name(), out));
    if (f.items() != null) {
      f.items().properties().forEach(c -> classified(c, path + "[]." + c.name(), out));
    }
  }

  private void sla() {
    heading("SLA");
    if (contract.slaProperties().isEmpty()) {
      row("  none");
    }
    io.lakemesh.contracts.sla.ServiceLevels levels = io.lakemesh.contracts.sla.ServiceLevels.of(contract);
    for (Contract.SlaProperty p : contract.slaProperties()) {
      row("  %-16s %s%s%s%s", p.property(), orDash(p.value()), p.unit() == null ? "" : " " + p.unit(),
          isoObjective(levels, p).map(d -> " (" + io.lakemesh.contracts.sla.ServiceLevels.format(d) + ")")
              .orElse(""),
          p.element() == null ? "" : "   (" + p.element() + ")");
    }
  }

  /** An objective written as an ISO-8601 duration ({@code PT0.5S}), to be shown as the stats write it too. */
  private static java.util.Optional<java.time.Duration> isoObjective(io.lakemesh.contracts.sla.ServiceLevels levels,
      Contract.SlaProperty p) {
    if (p.unit() != null) {
      return java.util.Optional.empty();
    }
    return switch (p.property()) {
      case io.lakemesh.contracts.sla.ServiceLevels.FRESHNESS -> levels.freshness();
      case io.lakemesh.contracts.sla.ServiceLevels.LATENCY -> levels.latency();
      default -> java.util.Optional.empty();
    };
  }

  private static String severityName(Severity s) {
    return s.name().toLowerCase(Locale.ROOT);
  }

  private static String orDash(String s) {
    return s == null || s.isBlank() ? "-" : s;
  }
}
