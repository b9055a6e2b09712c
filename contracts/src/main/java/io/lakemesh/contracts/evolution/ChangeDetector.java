package io.lakemesh.contracts.evolution;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.lakemesh.contracts.aggregate.AggregateExpression;
import io.lakemesh.contracts.aggregate.AggregatePlan;
import io.lakemesh.contracts.iceberg.IcebergMapping;
import io.lakemesh.contracts.model.Contract;
import io.lakemesh.contracts.model.Field;
import io.lakemesh.contracts.model.LogicalType;
import io.lakemesh.contracts.model.QualityRule;
import io.lakemesh.contracts.model.Severity;
import io.lakemesh.contracts.model.Threshold;
import io.lakemesh.contracts.validate.BatchChecks;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

/**
 * Walks a running and a proposed contract side by side and lists what changed, in document order. Fields are
 * matched by name, level by level; a renamed field is a removal plus an addition.
 */
final class ChangeDetector {
  private final List<Change> changes = new ArrayList<>();
  /** Gold columns whose addition {@link #declaredColumns} has said: not said again as a field added. */
  private final java.util.Set<String> goldColumnsAdded = new java.util.HashSet<>();

  private ChangeDetector() {}

  static List<Change> changes(Contract running, Contract proposed) {
    ChangeDetector detector = new ChangeDetector();
    detector.product(running, proposed);
    return List.copyOf(detector.changes);
  }

  private void product(Contract a, Contract b) {
    JsonNode docA = document(a);
    JsonNode docB = document(b);
    if (!Objects.equals(a.id(), b.id())) {
      breaking(ChangeKind.PRODUCT_ID_CHANGED, "/id", "product id changes from '" + a.id() + "' to '" + b.id()
          + "': that is another product, not a new version of '" + a.id() + "'");
    }
    if (!Objects.equals(a.domain(), b.domain())) {
      breaking(ChangeKind.DOMAIN_CHANGED, "/domain", "domain changes from '" + a.domain() + "' to '" + b.domain()
          + "': another domain owns another product");
    }
    String idA = docA.path("id").asText(a.id());
    String idB = docB.path("id").asText(b.id());
    if (Objects.equals(a.id(), b.id()) && !idA.equals(idB)) {
      // the product is named by its domain and object, not by this id; readers and tables stay, but say it changed
      compatible(ChangeKind.CONTRACT_ID_CHANGED, "/id", "contract id changes from '" + idA + "' to '" + idB
          + "' (the product stays " + a.id() + ")");
    }
    version(a.version(), b.version());
    if (!Objects.equals(a.status(), b.status())) {
      compatible(ChangeKind.STATUS_CHANGED, "/status", "status changes from " + a.status() + " to " + b.status());
    }
    settings(a, b);
    if (!docA.path("description").equals(docB.path("description"))) {
      compatible(ChangeKind.DESCRIPTION_CHANGED, "/description", "the product description changes");
    }
    tags("/tags", "the product", docA, docB);
    PolicyChanges.compare(a, b, changes);
    sla(a, b);

    JsonNode tableA = docA.path("schema").path(a.table().index());
    JsonNode tableB = docB.path("schema").path(b.table().index());
    objectNames(a.id(), tableA, tableB, b.table().pointer());
    if (!Objects.equals(a.table().description(), b.table().description())) {
      compatible(ChangeKind.DESCRIPTION_CHANGED, b.table().pointer() + "/description",
          "the table description changes");
    }
    fields("", a.table().fields(), tableA.path("properties"), b.table().fields(), tableB.path("properties"), true);
    keys(a, b);
    rules(b.table().pointer() + "/quality", "the table", a.table().quality(), tableA.path("quality"),
        b.table().quality(), tableB.path("quality"));
    documentation(docA, docB, tableA, tableB, b.table().pointer());
  }

  /**
   * Whatever else of the document changed (relationships, physical names, servers, team, support, examples, …):
   * kept with the contract and not acted on, but listed so that a diff shows every change a reviewer should see.
   * What the checks above judge (types, options, rules, roles, SLAs, settings, …) is left to them, since they know
   * which differences of writing mean nothing ({@code error} and {@code ERROR}).
   */
  private void documentation(JsonNode docA, JsonNode docB, JsonNode tableA, JsonNode tableB, String tablePointer) {
    List<String> paths = new ArrayList<>();
    differences("", docA, docB, TOP_LEVEL_JUDGED, paths);
    if (!otherCustomProperties(docA).equals(otherCustomProperties(docB))) {
      paths.add("/customProperties"); // Lakemesh's own settings are judged by settings()
    }
    differences(tablePointer, tableA, tableB, OBJECT_JUDGED, paths);
    propertyDifferences(tablePointer + "/properties", tableA.path("properties"), tableB.path("properties"), paths);
    if (!paths.isEmpty()) {
      compatible(ChangeKind.DOCUMENTATION_CHANGED, paths.get(0), "documentation changes at "
          + String.join(", ", paths.subList(0, Math.min(6, paths.size())))
          + (paths.size() > 6 ? " and " + (paths.size() - 6) + " more" : ""));
    }
  }

  private static final Set<String> TOP_LEVEL_JUDGED = Set.of("schema", "version", "id", "domain", "status",
      "description", "tags", "roles", "slaProperties", "customProperties");
  private static final Set<String> OBJECT_JUDGED = Set.of("properties", "quality", "name", "physicalName",
      "description", "tags", "customProperties");
  private static final Set<String> PROPERTY_JUDGED = Set.of("name", "logicalType", "logicalTypeOptions",
      "physicalType", "required", "unique", "primaryKey", "primaryKeyPosition", "partitioned", "partitionKeyPosition",
      "classification", "description", "quality", "properties", "items", "tags", "customProperties",
      "transformLogic");

  /** The document's custom properties other than Lakemesh's settings, by name. */
  private static Map<String, JsonNode> otherCustomProperties(JsonNode doc) {
    Map<String, JsonNode> out = new java.util.TreeMap<>();
    for (JsonNode p : doc.path("customProperties")) {
      String name = p.path("property").asText();
      if (!name.startsWith("lakemesh")) {
        out.put(name, p.path("value"));
      }
    }
    return out;
  }

  /** The keys of two objects, other than {@code judged}, whose values differ, as pointers. */
  private static void differences(String pointer, JsonNode a, JsonNode b, Set<String> judged, List<String> out) {
    Set<String> keys = new LinkedHashSet<>();
    a.fieldNames().forEachRemaining(keys::add);
    b.fieldNames().forEachRemaining(keys::add);
    for (String key : keys) {
      if (!judged.contains(key) && !a.path(key).equals(b.path(key))) {
        out.add(pointer + "/" + escape(key));
      }
    }
  }

  /** The same for properties matched by name, at any depth (added and removed ones are fields changes). */
  private static void propertyDifferences(String pointer, JsonNode a, JsonNode b, List<String> out) {
    for (int i = 0; i < b.size(); i++) {
      JsonNode pb = b.get(i);
      for (JsonNode pa : a) {
        if (pa.path("name").asText().equals(pb.path("name").asText())) {
          String at = pointer + "/" + i;
          differences(at, pa, pb, PROPERTY_JUDGED, out);
          propertyDifferences(at + "/properties", pa.path("properties"), pb.path("properties"), out);
          if (pa.path("items").isObject() && pb.path("items").isObject()) {
            differences(at + "/items", pa.path("items"), pb.path("items"), PROPERTY_JUDGED, out);
            propertyDifferences(at + "/items/properties", pa.path("items").path("properties"),
                pb.path("items").path("properties"), out);
          }
          break;
        }
      }
    }
  }

  private static String escape(String token) {
    return token.replace("~", "~0").replace("/", "~1");
  }

  /** A schema object renamed under the same product id: a rename in the document, not of the product's tables. */
  private void objectNames(String productId, JsonNode tableA, JsonNode tableB, String pointer) {
    for (String key : List.of("name", "physicalName")) {
      JsonNode was = tableA.path(key);
      JsonNode now = tableB.path(key);
      if (!was.equals(now)) {
        compatible(ChangeKind.OBJECT_RENAMED, pointer + "/" + key, "the schema object's " + key + " changes from "
            + quote(was.isMissingNode() ? null : was.asText()) + " to " + quote(now.isMissingNode() ? null : now.asText())
            + ": its tables keep the names of product " + productId);
      }
    }
  }

  private void version(String a, String b) {
    if (Objects.equals(a, b)) {
      return;
    }
    Optional<SemanticVersion> va = SemanticVersion.parse(a);
    Optional<SemanticVersion> vb = SemanticVersion.parse(b);
    if (va.isPresent() && vb.isPresent() && vb.get().compareTo(va.get()) < 0) {
      breaking(ChangeKind.VERSION_CHANGED, "/version", "version goes back from " + a + " to " + b);
    } else {
      compatible(ChangeKind.VERSION_CHANGED, "/version", "version changes from " + a + " to " + b);
    }
  }

  private void settings(Contract a, Contract b) {
    var sa = a.settings();
    var sb = b.settings();
    if (sa.stage() != sb.stage()) {
      breaking(ChangeKind.STAGE_CHANGED, "/customProperties/lakemeshStage", "stage changes from "
          + sa.stage().odcsName() + " to " + sb.stage().odcsName() + ": the product keeps other tables ("
          + String.join(", ", sa.stage().tables()) + " -> " + String.join(", ", sb.stage().tables()) + ")");
    }
    boolean sameUpstream = sa.upstream() != null && sb.upstream() != null
        && unpinned(sa.upstream()).equals(unpinned(sb.upstream()));
    if (sameUpstream && !sa.upstream().equals(unpinned(sa.upstream()))
        && !sb.upstream().equals(unpinned(sb.upstream())) && !sa.upstream().equals(sb.upstream())) {
      // both name a major, and not the same one: the table was computed from the first, which a node checks
      breaking(ChangeKind.UPSTREAM_CHANGED, "/customProperties/lakemeshUpstream", "upstream changes from "
          + quote(sa.upstream()) + " to " + quote(sb.upstream()) + ": the stored rows were computed from the other"
          + " major's table (a new major version of this product computes its own beside them)");
    } else if (!Objects.equals(sa.upstream(), sb.upstream()) && sameUpstream) {
      // the same product, its major pinned or unpinned: the same table when it names the major the product reads
      compatible(ChangeKind.UPSTREAM_CHANGED, "/customProperties/lakemeshUpstream", "upstream changes from "
          + quote(sa.upstream()) + " to " + quote(sb.upstream()) + ": deploys only where it names the major whose"
          + " table the product was computed from (a node refuses it otherwise)");
    } else if (!Objects.equals(sa.upstream(), sb.upstream())) {
      breaking(ChangeKind.UPSTREAM_CHANGED, "/customProperties/lakemeshUpstream", "upstream changes from "
          + quote(sa.upstream()) + " to " + quote(sb.upstream()) + ": stored rows and the committed source position"
          + " belong to the old upstream");
    }
    if (!Objects.equals(sa.transform(), sb.transform())) {
      breaking(ChangeKind.TRANSFORM_CHANGED, "/customProperties/lakemeshTransform", "transformation changes from "
          + quote(sa.transform()) + " to " + quote(sb.transform()) + ": stored rows were computed by the old one");
    }
    declaredColumns(a, b);
    if (sa.partitions() != sb.partitions()) {
      // ingest picks a partition as murmur2(primary key) modulo the partition count and deduplicates per partition,
      // so after any resize a re-sent event can land in another partition than its first copy and escape dedup
      breaking(ChangeKind.KAFKA_PARTITIONS_CHANGED, "/customProperties/lakemeshPartitions",
          "raw topic partitions change from " + sa.partitions() + " to " + sb.partitions() + ": events are"
              + " deduplicated per partition and routed by a hash of the primary key modulo the partition count, so a"
              + " re-sent event could land in another partition than its first copy and be stored twice"
              + (sa.partitions() > sb.partitions() ? " (and Kafka cannot remove partitions from a topic)" : ""));
    }
  }

  /**
   * A declared gold product's columns are its transformation: stored rows were computed by the old column logic,
   * and a column added later would only count rows that arrive after it, so any change to them needs a new major
   * version (computed from the whole upstream) or a replay.
   */
  private void declaredColumns(Contract a, Contract b) {
    if (!AggregatePlan.isDeclared(a) || !AggregatePlan.isDeclared(b)) {
      return;
    }
    Map<String, String> before = logic(a);
    Map<String, String> after = logic(b);
    String object = b.table().pointer() + "/properties";
    after.forEach((column, logic) -> {
      String old = before.get(column);
      if (old == null) {
        goldColumnsAdded.add(column);
        breaking(ChangeKind.TRANSFORM_CHANGED, object, "gold column '" + column + "' (" + logic + ") is added:"
            + " the stored rows hold no value for it, and on this major it would count only rows that arrive from"
            + " now on (a new major computes it over the whole upstream)");
      } else if (!old.equals(logic)) {
        breaking(ChangeKind.TRANSFORM_CHANGED, object, "gold column '" + column + "' changes from " + old + " to "
            + logic + ": stored rows were computed by the old one");
      }
    });
  }

  /** Each declared column's logic, written the one way the parser reads it (spacing and case do not count). */
  private static Map<String, String> logic(Contract c) {
    Map<String, String> out = new LinkedHashMap<>();
    for (Field f : c.table().fields()) {
      String text = f.transformLogic();
      String normal;
      try {
        normal = text == null ? "" : AggregateExpression.parse(text).toString();
      } catch (IllegalArgumentException e) {
        normal = text; // lint reports it; compared as written
      }
      out.put(f.name(), normal);
    }
    return out;
  }

  private void sla(Contract a, Contract b) {
    Function<Contract.SlaProperty, String> key = p -> p.property() + (p.element() == null ? "" : " of "
        + p.element());
    Map<String, Contract.SlaProperty> before = byKey(a.slaProperties(), key);
    Map<String, Contract.SlaProperty> after = byKey(b.slaProperties(), key);
    before.forEach((name, p) -> {
      if (!after.containsKey(name)) {
        compatible(ChangeKind.SLA_CHANGED, "/slaProperties", "SLA " + name + " is removed");
      }
    });
    after.forEach((name, p) -> {
      Contract.SlaProperty old = before.get(name);
      if (old == null) {
        compatible(ChangeKind.SLA_CHANGED, "/slaProperties", "SLA " + name + " (" + sla(p) + ") is added");
      } else if (!sla(old).equals(sla(p))) {
        compatible(ChangeKind.SLA_CHANGED, "/slaProperties", "SLA " + name + " changes from " + sla(old) + " to "
            + sla(p));
      }
    });
  }

  private static String sla(Contract.SlaProperty p) {
    return p.value() + (p.unit() == null ? "" : " " + p.unit());
  }

  // ---- fields

  /** A field with the document node it was read from (for what the model does not keep, like tags). */
  private record Node(Field field, JsonNode json) {}

  private void fields(String prefix, List<Field> before, JsonNode beforeJson, List<Field> after, JsonNode afterJson,
      boolean topLevel) {
    Map<String, Node> old = index(before, beforeJson);
    Map<String, Node> proposed = index(after, afterJson);
    old.forEach((name, node) -> {
      if (!proposed.containsKey(name)) {
        String path = prefix + name;
        breaking(ChangeKind.FIELD_REMOVED, path, "field '" + path + "' (" + typeName(node.field())
            + ") is removed: readers of it break");
      }
    });
    proposed.forEach((name, node) -> {
      String path = prefix + name;
      Node was = old.get(name);
      if (was == null) {
        added(path, node, topLevel);
      } else {
        field(path, was, node, topLevel);
      }
    });
  }

  private void added(String path, Node node, boolean topLevel) {
    if (topLevel && goldColumnsAdded.contains(path)) {
      return; // a gold column: its logic is what the change is about, said once
    }
    Field f = node.field();
    if (isRequired(f, topLevel)) {
      breaking(ChangeKind.FIELD_ADDED, path, "required field '" + path + "' (" + typeName(f)
          + ") is added: rows stored before it have no value");
      return;
    }
    // what it checks, each named: stored rows hold null, which passes, but events that already carried the member
    // (kept in bronze while it was undeclared) and fail a check are quarantined from now on
    ChangeDetector checks = new ChangeDetector();
    checks.checksOfNew(path, node);
    long refusing = checks.changes.stream().filter(Change::breaking).count();
    compatible(ChangeKind.FIELD_ADDED, path, "optional field '" + path + "' (" + typeName(f) + ") is added"
        + (checks.changes.isEmpty() ? "" : " with " + checks.changes.size() + " check(s)")
        + (refusing == 0 ? "" : ": an event that carried it while it was undeclared (kept in bronze) and fails "
            + (refusing == 1 ? "the one that keeps data out" : "one of the " + refusing + " that keep data out")
            + " is refused from now on"));
    for (Change check : checks.changes) {
      // what it would mean for a field that held data is no news for a new one
      String what = check.description();
      for (String consequence : List.of(": rows that fail it are now quarantined",
          ": a failing batch now stops the stage")) {
        what = what.endsWith(consequence) ? what.substring(0, what.length() - consequence.length()) : what;
      }
      compatible(check.kind(), path, "new field '" + path + "': " + what);
    }
  }

  /** The checks a new field comes with, and those of the members of a new object, as changes from none. */
  private void checksOfNew(String path, Node node) {
    Field f = node.field();
    Field unchecked = new Field(f.name(), f.type(), null, false, false, f.primaryKeyPosition(),
        f.partitionKeyPosition(), f.partitionTransform(), f.classification(), f.description(), null, f.properties(),
        f.items(), List.of());
    boolean numeric = f.type() == LogicalType.INTEGER || f.type() == LogicalType.NUMBER;
    Constraints.compare(path, unchecked, f, !numeric, changes);
    rules(path, "'" + path + "'", List.of(), com.fasterxml.jackson.databind.node.MissingNode.getInstance(),
        f.quality(), node.json().path("quality"));
    if (f.type() == LogicalType.OBJECT) {
      index(f.properties(), node.json().path("properties")).forEach((name, member) -> {
        if (member.field().required()) {
          // an object that carries no such member is refused
          breaking(ChangeKind.MADE_REQUIRED, path + "." + name, "'" + path + "." + name + "' is required where '"
              + path + "' is given");
        }
        checksOfNew(path + "." + name, member);
      });
    }
  }

  private void field(String path, Node before, Node after, boolean topLevel) {
    Field a = before.field();
    Field b = after.field();
    boolean typeKept = type(path, a, b);
    boolean wasRequired = isRequired(a, topLevel);
    boolean isRequired = isRequired(b, topLevel);
    if (wasRequired && !isRequired) {
      compatible(ChangeKind.MADE_OPTIONAL, path, "'" + path + "' becomes optional");
    } else if (!wasRequired && isRequired) {
      breaking(ChangeKind.MADE_REQUIRED, path, "'" + path + "' becomes required: stored rows may lack it");
    }
    if (typeKept) {
      boolean numeric = b.type() == LogicalType.INTEGER || b.type() == LogicalType.NUMBER;
      Constraints.compare(path, a, b, !numeric, changes);
    }
    if (!Objects.equals(a.description(), b.description())) {
      compatible(ChangeKind.DESCRIPTION_CHANGED, path, "description of '" + path + "' changes");
    }
    if (!Objects.equals(a.classification(), b.classification())) {
      compatible(ChangeKind.CLASSIFICATION_CHANGED, path, "classification of '" + path + "' changes from "
          + quote(a.classification()) + " to " + quote(b.classification()));
    }
    tags(path, "'" + path + "'", before.json(), after.json());
    rules(path, "'" + path + "'", a.quality(), before.json().path("quality"), b.quality(),
        after.json().path("quality"));
    if (typeKept && a.type() == LogicalType.OBJECT) {
      fields(path + ".", a.properties(), before.json().path("properties"), b.properties(),
          after.json().path("properties"), false);
    } else if (typeKept && a.type() == LogicalType.ARRAY && a.items() != null && b.items() != null) {
      field(path + "[]", new Node(a.items(), before.json().path("items")),
          new Node(b.items(), after.json().path("items")), false);
    }
  }

  /** Reports a type change; true when the type is the same or promoted (so the rest can be compared). */
  private boolean type(String path, Field a, Field b) {
    boolean nestedA = a.type() == LogicalType.OBJECT || a.type() == LogicalType.ARRAY;
    boolean nestedB = b.type() == LogicalType.OBJECT || b.type() == LogicalType.ARRAY;
    if (nestedA || nestedB) {
      if (a.type() == b.type()) {
        return true;
      }
      breaking(ChangeKind.TYPE_CHANGED, path, "type of '" + path + "' changes from " + typeName(a) + " to "
          + typeName(b) + ": stored values cannot be read as the new type");
      return false;
    }
    Type from = icebergType(a);
    Type to = icebergType(b);
    if (from.equals(to)) {
      return true;
    }
    if (isSafePromotion(from, to)) {
      compatible(ChangeKind.TYPE_PROMOTED, path, "type of '" + path + "' is promoted from " + from + " to " + to);
      return true;
    }
    breaking(ChangeKind.TYPE_CHANGED, path, "type of '" + path + "' changes from " + from + " to " + to
        + ": stored values cannot be read as the new type");
    return false;
  }

  /** The promotions Iceberg applies to stored files without a rewrite. */
  static boolean isSafePromotion(Type from, Type to) {
    if (from.typeId() == Type.TypeID.INTEGER && to.typeId() == Type.TypeID.LONG) {
      return true;
    }
    if (from.typeId() == Type.TypeID.FLOAT && to.typeId() == Type.TypeID.DOUBLE) {
      return true;
    }
    return from instanceof Types.DecimalType f && to instanceof Types.DecimalType t
        && f.scale() == t.scale() && t.precision() > f.precision();
  }

  private static Type icebergType(Field f) {
    return IcebergMapping.type(f, new AtomicInteger());
  }

  private static boolean isRequired(Field f, boolean topLevel) {
    // the Iceberg mapping makes primary-key columns required whatever the contract says
    return f.required() || topLevel && f.isPrimaryKey();
  }

  private static String typeName(Field f) {
    return switch (f.type()) {
      case OBJECT -> "object";
      case ARRAY -> "array of " + (f.items() == null ? "string" : typeName(f.items()));
      default -> icebergType(f).toString();
    };
  }

  private static Map<String, Node> index(List<Field> fields, JsonNode json) {
    Map<String, Node> byName = new LinkedHashMap<>();
    // the reader builds fields from the properties array in order, so position i is the node of field i
    for (int i = 0; i < fields.size(); i++) {
      JsonNode node = json.path(i);
      byName.putIfAbsent(fields.get(i).name(), new Node(fields.get(i), node));
    }
    return byName;
  }

  // ---- keys

  private void keys(Contract a, Contract b) {
    List<String> pkA = a.primaryKey().stream().map(Field::name).toList();
    List<String> pkB = b.primaryKey().stream().map(Field::name).toList();
    if (!pkA.equals(pkB)) {
      boolean sameColumns = new java.util.HashSet<>(pkA).equals(new java.util.HashSet<>(pkB));
      breaking(ChangeKind.PRIMARY_KEY_CHANGED, Change.PRIMARY_KEY, "primary key changes from " + key(pkA) + " to "
          + key(pkB) + (sameColumns
              ? ": events are routed to Kafka partitions by the first key column, so a re-sent event could land in"
                  + " another partition and be stored twice"
              : ": rows are deduplicated and merged by another key"));
    }
    if (a.stage() == io.lakemesh.contracts.model.Stage.SOURCE && b.stage() == io.lakemesh.contracts.model.Stage.SOURCE
        && !routingIdentity(a).equals(routingIdentity(b))) {
      breaking(ChangeKind.ROUTING_CHANGED, Change.PRIMARY_KEY, "events are routed to Kafka partitions by the first"
          + " primary-key column, which changes from " + routing(a) + " to " + routing(b) + ": every major version"
          + " reads the same raw topic and deduplicates per partition, so re-sent events would be stored twice");
    }
    List<String> partA = a.partitionFields().stream().map(ChangeDetector::partition).toList();
    List<String> partB = b.partitionFields().stream().map(ChangeDetector::partition).toList();
    if (!partA.equals(partB)) {
      breaking(ChangeKind.PARTITIONING_CHANGED, Change.PARTITIONING, "partitioning changes from " + key(partA)
          + " to " + key(partB) + ": stored files are laid out by the old partitioning");
    }
  }

  /** The first primary-key column and its stored type, which route a source product's events. */
  /**
   * The first primary-key column as it routes events: its name, stored type and how its text is read (a date's
   * pattern; a timestamp's zone and pattern), since the routing key is that text made canonical.
   */
  /**
   * What decides the partition of an event: the first key column's name, how its values are written canonically
   * (an int, a long and a decimal of the same value route alike; a double does not) and how its text is read.
   */
  private static String routingIdentity(Contract c) {
    return routing(c, type -> switch (type.typeId()) {
      case INTEGER, LONG, DECIMAL -> "whole or decimal number";
      case FLOAT, DOUBLE -> "floating-point number";
      default -> type.toString();
    });
  }

  /** The first key column as a sentence names it: name, stored type and how its text is read. */
  private static String routing(Contract c) {
    return routing(c, org.apache.iceberg.types.Type::toString);
  }

  private static String routing(Contract c,
      java.util.function.Function<org.apache.iceberg.types.Type, String> typeText) {
    return c.primaryKey().stream().findFirst().map(f -> {
      String read = switch (f.type()) {
        case DATE -> f.options().format() == null ? "" : ", written " + f.options().format();
        case TIMESTAMP -> (f.options().defaultTimezone() == null ? "" : ", " + f.options().defaultTimezone()
            + " if no offset") + (io.lakemesh.contracts.validate.Timestamps.pattern(f.options().format()) == null
            ? "" : ", or written " + f.options().format());
        default -> "";
      };
      return "'" + f.name() + "' (" + typeText.apply(IcebergMapping.schema(c).findType(f.name())) + read + ")";
    }).orElse("none (no primary key)");
  }

  private static String partition(Field f) {
    return IcebergMapping.transformOf(f) + "(" + f.name() + ")";
  }

  private static String key(List<String> parts) {
    return parts.isEmpty() ? "(none)" : "(" + String.join(", ", parts) + ")";
  }

  // ---- documentation: tags and quality rules

  private void tags(String path, String what, JsonNode before, JsonNode after) {
    Set<String> a = strings(before.path("tags"));
    Set<String> b = strings(after.path("tags"));
    if (!a.equals(b)) {
      compatible(ChangeKind.TAGS_CHANGED, path, "tags of " + what + " change from " + a + " to " + b);
    }
  }

  /** A product id without its {@code @v<major>} pin. */
  private static String unpinned(String id) {
    int at = id.lastIndexOf("@v");
    return at > 0 && id.substring(at + 2).matches("\\d+") ? id.substring(0, at) : id;
  }

  private static Set<String> strings(JsonNode array) {
    Set<String> values = new LinkedHashSet<>();
    array.forEach(v -> values.add(v.asText()));
    return values;
  }

  /**
   * Rules are matched by name (their name is the reason code of a quarantined row). The valid values and patterns
   * of {@code invalidValues} rules are judged as constraints of their field, not here. A rule that keeps data out
   * and changes what it checks is breaking when it may refuse what it accepted: a stricter threshold, another
   * metric, or a new CEL expression or SQL query (whether one refuses more than another cannot be decided in
   * general, so it counts as narrowing and a reviewer must look, as with row filters).
   */
  private void rules(String path, String what, List<QualityRule> before, JsonNode beforeJson,
      List<QualityRule> after, JsonNode afterJson) {
    Map<String, QualityRule> a = byKey(before, QualityRule::name);
    Map<String, QualityRule> b = byKey(after, QualityRule::name);
    Map<String, JsonNode> jsonA = jsonByName(before, beforeJson);
    Map<String, JsonNode> jsonB = jsonByName(after, afterJson);
    a.forEach((name, rule) -> {
      if (!b.containsKey(name) && !isValueList(rule)) {
        compatible(ChangeKind.RULE_REMOVED, path, "rule '" + name + "' of " + what + " is removed");
      }
    });
    // a list of valid values under another name: its values are judged as the field's constraints, but its name is
    // what quarantined rows and the per-rule counters carry
    List<String> listsGone = a.keySet().stream().filter(n -> !b.containsKey(n) && isValueList(a.get(n))).toList();
    List<String> listsNew = b.keySet().stream().filter(n -> !a.containsKey(n) && isValueList(b.get(n))).toList();
    for (int i = 0; i < Math.min(listsGone.size(), listsNew.size()); i++) {
      compatible(ChangeKind.RULE_CHANGED, path, "rule '" + listsGone.get(i) + "' of " + what + " is named '"
          + listsNew.get(i) + "' now: quarantine reasons and the per-rule counters carry the new name");
    }
    b.forEach((name, rule) -> {
      QualityRule old = a.get(name);
      if (old == null) {
        if (isValueList(rule)) {
          return;
        }
        String sentence = "rule '" + name + "' of " + what + " is added (" + aspects(rule).values().iterator().next()
            + ")";
        if (refuses(rule)) {
          breaking(ChangeKind.RULE_ADDED, path, sentence + ": " + refusal(rule));
        } else {
          compatible(ChangeKind.RULE_ADDED, path, sentence);
        }
        return;
      }
      Map<String, String> was = aspects(old);
      Map<String, String> is = aspects(rule);
      List<String> differences = new ArrayList<>();
      is.forEach((aspect, value) -> {
        if (!Objects.equals(was.get(aspect), value)) {
          differences.add(aspect + " " + quote(was.get(aspect)) + " -> " + quote(value));
        }
      });
      if (!differences.isEmpty()) {
        String sentence = "rule '" + name + "' of " + what + " changes: " + String.join(", ", differences);
        String stricter = refuses(rule) && !isValueList(rule) ? stricter(old, rule) : null;
        if (refuses(rule) && !refuses(old) && !(isValueList(rule) && isValueList(old))) {
          breaking(ChangeKind.RULE_CHANGED, path, sentence + ": " + refusal(rule));
        } else if (stricter != null) {
          breaking(ChangeKind.RULE_CHANGED, path, sentence + ": " + stricter);
        } else {
          compatible(ChangeKind.RULE_CHANGED, path, sentence);
        }
        return;
      }
      // what the model does not keep (descriptions of library rules, dimension, business impact, ...)
      Set<String> keys = differingKeys(jsonA.get(name), jsonB.get(name));
      if (rule instanceof QualityRule.Library lib && Constraints.isInvalidValues(lib)) {
        keys.remove("arguments"); // its values and pattern are compared above, as a constraint or as the rule's
      }
      keys.remove("severity"); // compared above as the model reads it: 'critical' and 'CRITICAL' are one severity
      if (!keys.isEmpty()) {
        compatible(ChangeKind.RULE_CHANGED, path, "rule '" + name + "' of " + what + " changes its "
            + String.join(", ", keys));
      }
    });
  }

  private static Map<String, JsonNode> jsonByName(List<QualityRule> rules, JsonNode json) {
    Map<String, JsonNode> byName = new LinkedHashMap<>();
    // the reader builds rules from the quality array in order, so position i is the node of rule i
    for (int i = 0; i < rules.size(); i++) {
      byName.putIfAbsent(rules.get(i).name(), json.path(i));
    }
    return byName;
  }

  private static Set<String> differingKeys(JsonNode a, JsonNode b) {
    Set<String> keys = new TreeSet<>();
    if (a == null || b == null) {
      return keys;
    }
    a.fieldNames().forEachRemaining(keys::add);
    b.fieldNames().forEachRemaining(keys::add);
    keys.removeIf(k -> k.equals("arguments") ? asSets(a.path(k)).equals(asSets(b.path(k)))
        : a.path(k).equals(b.path(k)));
    return keys;
  }

  /**
   * A rule's arguments with its value lists ({@code validValues}, {@code missingValues}) as the sets they are: the
   * same values in another order, or one listed twice, are the same rule.
   */
  private static JsonNode asSets(JsonNode arguments) {
    if (!arguments.isObject()) {
      return arguments;
    }
    com.fasterxml.jackson.databind.node.ObjectNode sets = arguments.deepCopy();
    for (String list : List.of("validValues", "missingValues")) {
      if (sets.path(list).isArray()) {
        java.util.TreeMap<String, JsonNode> distinct = new java.util.TreeMap<>();
        sets.path(list).forEach(v -> distinct.putIfAbsent(v.toString(), v));
        com.fasterxml.jackson.databind.node.ArrayNode sorted = sets.putArray(list);
        distinct.values().forEach(sorted::add);
      }
    }
    return sets;
  }

  /**
   * True when a failing rule keeps data out: a row rule (CEL, or a library rule that no offender may break) of
   * severity error or critical quarantines the row; a batch rule (a share, duplicates, row count, SQL) of severity
   * critical stops the batch. Adding such a rule, or making a rule one, narrows what is accepted, like a pattern.
   */
  private static boolean refuses(QualityRule rule) {
    boolean errorOrWorse = rule.severity() == Severity.ERROR || rule.severity() == Severity.CRITICAL;
    if (rule instanceof QualityRule.Cel) {
      return errorOrWorse;
    }
    if (rule instanceof QualityRule.Library lib) {
      return BatchChecks.isBatchLevel(lib) ? rule.severity() == Severity.CRITICAL : errorOrWorse;
    }
    return rule instanceof QualityRule.Sql && rule.severity() == Severity.CRITICAL;
  }

  private static final String REFUSES_MORE = "the new threshold refuses measurements the old one accepted";

  /** Why a changed rule that keeps data out may refuse what it accepted before; null when it cannot. */
  private static String stricter(QualityRule old, QualityRule now) {
    String undecidable = " may refuse what the old one accepted (that cannot be decided in general): a reviewer must"
        + " look";
    if (old.getClass() != now.getClass()) {
      return "the rule checks something else now and" + undecidable;
    }
    if (now instanceof QualityRule.Cel cel && !cel.expression().equals(((QualityRule.Cel) old).expression())) {
      return "the new expression" + undecidable;
    }
    if (now instanceof QualityRule.Sql sql) {
      QualityRule.Sql was = (QualityRule.Sql) old;
      if (!sql.query().equals(was.query())) {
        return "the new query" + undecidable;
      }
      return sql.threshold().refusesMoreThan(was.threshold()) ? REFUSES_MORE : null;
    }
    if (now instanceof QualityRule.Library lib) {
      QualityRule.Library was = (QualityRule.Library) old;
      if (!lib.metric().equals(was.metric()) || lib.percent() != was.percent()
          || !Objects.equals(lib.pattern(), was.pattern())) {
        return "the rule checks something else now and" + undecidable;
      }
      // a value no longer valid is an offender now: a shorter list refuses more (a longer one, with the same
      // threshold, refuses less)
      List<String> noLongerValid = was.validValues().stream().filter(v -> !lib.validValues().contains(v)).toList();
      if (!noLongerValid.isEmpty()) {
        return "values " + noLongerValid + " are no longer valid: rows with them now count against the rule";
      }
      // a library metric counts rows unless it is a percentage: compared over whole numbers from 0, or over 0 to 100
      boolean counts = !lib.percent();
      Threshold is = counts ? lib.threshold().onWholeNumbers() : lib.threshold();
      Threshold before = counts ? was.threshold().onWholeNumbers() : was.threshold();
      return is.refusesMoreThan(before, java.math.BigDecimal.ZERO, counts ? null : java.math.BigDecimal.valueOf(100))
          ? REFUSES_MORE : null;
    }
    return null;
  }

  private static String refusal(QualityRule rule) {
    boolean batch = rule instanceof QualityRule.Sql
        || (rule instanceof QualityRule.Library lib && BatchChecks.isBatchLevel(lib));
    return batch ? "a failing batch now stops the stage" : "rows that fail it are now quarantined";
  }

  /**
   * An {@code invalidValues} rule that refuses rows outside its list or pattern: a constraint of the field, judged
   * with its enum and pattern (Constraints). One that only counts (a warning, a share) is compared as a rule.
   */
  private static boolean isValueList(QualityRule rule) {
    return rule instanceof QualityRule.Library lib && Constraints.refusesValues(lib);
  }

  /** What a rule says, aspect by aspect, the first being its kind and body. */
  private static Map<String, String> aspects(QualityRule rule) {
    Map<String, String> m = new LinkedHashMap<>();
    if (rule instanceof QualityRule.Cel cel) {
      m.put("expression", "cel: " + cel.expression());
      m.put("description", cel.description());
    } else if (rule instanceof QualityRule.Library lib) {
      m.put("metric", "library: " + lib.metric());
      m.put("threshold", threshold(lib.threshold()) + (lib.percent() ? " %" : ""));
      if (!Constraints.refusesValues(lib)) {
        // a set, in order: the same values listed in another order are the same rule
        m.put("valid values", new java.util.TreeSet<>(lib.validValues()).toString());
        m.put("pattern", lib.pattern());
      }
    } else if (rule instanceof QualityRule.Sql sql) {
      m.put("query", "sql: " + sql.query());
      m.put("threshold", threshold(sql.threshold()));
    } else if (rule instanceof QualityRule.Text text) {
      // a custom rule of another engine (soda, great expectations) is read as documentation, often without text
      m.put("description", text.description() == null ? "text, not run" : "text: " + text.description());
    }
    m.put("severity", rule.severity().name().toLowerCase(Locale.ROOT));
    return m;
  }

  /** A threshold as the contract writes it: {@code mustBeLessThan: 5}, {@code mustBeBetween: [1, 9]}. */
  private static String threshold(Threshold t) {
    if (t == null) {
      return null;
    }
    String key = switch (t.operator()) {
      case MUST_BE -> "mustBe";
      case MUST_NOT_BE -> "mustNotBe";
      case GREATER_THAN -> "mustBeGreaterThan";
      case GREATER_OR_EQUAL -> "mustBeGreaterOrEqualTo";
      case LESS_THAN -> "mustBeLessThan";
      case LESS_OR_EQUAL -> "mustBeLessOrEqualTo";
      case BETWEEN -> "mustBeBetween";
      case NOT_BETWEEN -> "mustNotBeBetween";
    };
    return key + ": " + (t.upper() == null ? t.value().toPlainString()
        : "[" + t.value().toPlainString() + ", " + t.upper().toPlainString() + "]");
  }

  // ---- helpers

  private static JsonNode document(Contract c) {
    return c.document() == null ? MissingNode.getInstance() : c.document();
  }

  private static <T> Map<String, T> byKey(List<T> items, Function<T, String> key) {
    return items.stream().collect(Collectors.toMap(key, i -> i, (first, second) -> first, LinkedHashMap::new));
  }

  private static String quote(String s) {
    return s == null ? "(none)" : "'" + s + "'";
  }

  private void compatible(ChangeKind kind, String path, String sentence) {
    changes.add(Change.compatible(kind, path, sentence));
  }

  private void breaking(ChangeKind kind, String path, String sentence) {
    changes.add(Change.breaking(kind, path, sentence));
  }
}
