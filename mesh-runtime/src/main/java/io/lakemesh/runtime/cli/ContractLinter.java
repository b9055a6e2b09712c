package io.lakemesh.runtime.cli;

import io.lakemesh.contracts.ContractParser;
import io.lakemesh.contracts.InvalidContractException;
import io.lakemesh.contracts.Problem;
import io.lakemesh.contracts.ProductIds;
import io.lakemesh.contracts.aggregate.AggregatePlan;
import io.lakemesh.contracts.iceberg.IcebergMapping;
import io.lakemesh.contracts.model.Contract;
import io.lakemesh.contracts.model.Field;
import io.lakemesh.contracts.model.Stage;
import io.lakemesh.contracts.validate.RowValidator;
import io.lakemesh.runtime.product.Aggregation;
import io.lakemesh.runtime.product.Product;
import io.lakemesh.runtime.product.ProductCatalog;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeSet;
import org.apache.iceberg.Schema;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.transforms.Transform;
import org.apache.iceberg.transforms.Transforms;
import org.apache.iceberg.types.Type;

/**
 * Everything wrong with contract files: what the parser refuses (ODCS JSON Schema and semantic checks), what would
 * still stop a node from running a product (a partition transform that does not apply to its column's type, a
 * schema or validator that cannot be built, an aggregation no module provides), and products of two files that
 * would write the same tables.
 */
final class ContractLinter {

  private ContractLinter() {}

  /** What lint found in one file, and the products the file describes (none when it does not parse). */
  record Result(List<Problem> problems, List<Contract> products) {}

  static Result lint(Path file) {
    List<Contract> products;
    try {
      products = ContractParser.parseAll(file);
    } catch (InvalidContractException e) {
      return new Result(e.problems(), List.of());
    }
    List<Problem> problems = new ArrayList<>();
    for (Contract product : products) {
      problems.addAll(lint(product));
    }
    return new Result(problems, products);
  }

  /**
   * Gold products whose {@code lakemeshTransform} no domain module on this class path provides: the node would
   * refuse to start with them, so lint says so first (lint runs on the node's class path).
   */
  static List<Problem> missingAggregations(List<Contract> products) {
    Set<String> known = new TreeSet<>();
    ServiceLoader.load(Aggregation.class, ContractLinter.class.getClassLoader()).forEach(a -> known.add(a.name()));
    List<Problem> problems = new ArrayList<>();
    for (Contract contract : products) {
      String transform = contract.settings().transform();
      if (contract.stage() != Stage.GOLD || AggregatePlan.isDeclared(contract)
          || (transform != null && known.contains(transform))) {
        continue;
      }
      problems.add(new Problem(contract.settingPointer("lakemeshTransform"), "no domain module on this class path"
          + " provides the aggregation '" + transform + "' (known: " + known + "); a gold product's aggregation is"
          + " Java code, an Aggregation registered as a service in a domain module (see domains/retail)"));
    }
    return problems.stream().distinct().toList();
  }

  /**
   * The products a gold product may read: those of the linted files, and the built-in ones a node loads by default.
   */
  record Upstreams(Map<String, Contract> byId, List<String> unreadable) {
    static Upstreams of(List<Contract> linted) {
      return of(linted, List.of());
    }

    /** @param unreadable files linted with them that do not parse: an upstream may be in one of them */
    static Upstreams of(List<Contract> linted, List<String> unreadable) {
      Map<String, Contract> byId = new java.util.HashMap<>();
      try {
        ProductCatalog.load(ContractLinter.class.getClassLoader(), List.of(), true).all()
            .forEach(p -> byId.put(p.id(), p.contract()));
      } catch (InvalidContractException e) {
        throw new IllegalStateException("the built-in contracts do not parse: " + e.getMessage(), e);
      }
      for (Contract c : linted) {
        // the plain id names the newest major, as on a node
        byId.merge(c.id(), c, (a, b) -> Product.majorOf(a.version()) >= Product.majorOf(b.version()) ? a : b);
        // a gold product may pin the major version it reads: <id>@v<major>
        byId.put(c.id() + Product.VERSION_SEPARATOR + Product.majorOf(c.version()), c);
      }
      return new Upstreams(byId, List.copyOf(unreadable));
    }

    /**
     * A gold product whose upstream is unknown (a node would refuse to start) when several files were linted
     * together; for one file alone only a note, since its upstream may simply live in another file. A declared
     * gold product is checked column by column against its upstream.
     */
    List<Problem> problems(List<Contract> products, boolean together, java.util.function.Consumer<String> note) {
      List<Problem> problems = new ArrayList<>();
      for (Contract gold : products) {
        String upstream = gold.settings().upstream();
        if (gold.stage() != Stage.GOLD || upstream == null) {
          continue;
        }
        Contract source = byId.get(upstream);
        if (source == null) {
          String what = gold.id() + " reads " + upstream + ", which none of the linted contracts (nor a built-in"
              + " one) declares" + (unreadable.isEmpty() ? "" : ", unless it is in " + String.join(", ", unreadable)
                  + ", whose problems keep it from being read: fix those first");
          if (together) {
            problems.add(new Problem(gold.settingPointer("lakemeshUpstream"), what + ": a node with these"
                + " contracts would refuse to start"));
          } else {
            note.accept(what + "; lint it together with " + upstream + "'s contract to check it against it");
          }
          continue;
        }
        String notASource = ProductCatalog.notASource(gold.id(), upstream, source.stage());
        if (notASource != null) {
          problems.add(new Problem(gold.settingPointer("lakemeshUpstream"), notASource));
          continue;
        }
        if (AggregatePlan.isDeclared(gold)) {
          List<Problem> planProblems = AggregatePlan.problems(gold, source);
          if (!planProblems.isEmpty() && !upstream.contains(Product.VERSION_SEPARATOR)) {
            // an older major it fits: a node runs it there while its table was computed from that major
            java.util.Optional<Contract> older = byId.values().stream().distinct()
                .filter(c -> c.id().equals(source.id()) && c != source)
                .filter(c -> AggregatePlan.problems(gold, c).isEmpty()).findFirst();
            if (older.isPresent()) {
              note.accept(gold.id() + " fits " + source.id() + " " + older.get().version() + " but not "
                  + source.version() + ": a node computes it from the older major while its table was computed"
                  + " from it; a new table of it (a new major of " + gold.id() + ") would be refused: "
                  + planProblems.get(0).reason());
              continue;
            }
          }
          problems.addAll(planProblems);
          if (planProblems.isEmpty()) {
            arrayNote(gold, AggregatePlan.of(gold, source), note);
          }
        }
      }
      for (Contract c : products) {
        problems.addAll(relationshipsToOthers(c, note));
        unenforced(c, note);
        unchecked(c, note);
        io.lakemesh.contracts.policy.AccessPolicy.notes(c).forEach(n -> note.accept(c.id() + ": " + n));
      }
      rolesNotForEveryTable(products, note);
      return problems;
    }

    /**
     * In a contract of several tables a role is one for all of them, and lint refuses it only when it fits none: a
     * row filter naming a column one table lacks makes that table's rows invisible to the role, which is worth a note.
     */
    private static void rolesNotForEveryTable(List<Contract> products, java.util.function.Consumer<String> note) {
      Map<Object, List<Contract>> byDocument = new java.util.IdentityHashMap<>();
      products.forEach(c -> byDocument.computeIfAbsent(c.document(), d -> new ArrayList<>()).add(c));
      for (Map.Entry<Object, List<Contract>> document : byDocument.entrySet()) {
        if (document.getValue().size() < 2) {
          continue; // a one-table contract's role problems are refused as problems, not noted
        }
        // a row filter is compiled against each table: one note per role, naming the tables it fits not
        Map<String, List<String>> tablesByFilter = new java.util.LinkedHashMap<>();
        for (Contract c : document.getValue()) {
          for (Problem p : io.lakemesh.contracts.policy.AccessPolicy.problems(c)) {
            if (p.path().startsWith("/roles/") && p.reason().startsWith("row filter of role")) {
              tablesByFilter.computeIfAbsent(p.path(), k -> new ArrayList<>()).add(c.id());
            }
          }
        }
        String source = document.getValue().get(0).id();
        tablesByFilter.forEach((path, tables) -> {
          String role = document.getValue().get(0).roles().get(Integer.parseInt(path.split("/")[2])).role();
          note.accept(source + ": " + path + ": role '" + role + "' sees no rows of " + String.join(", ", tables)
              + ": its row filter reads columns " + (tables.size() == 1 ? "that table does" : "those tables do")
              + " not have (fine when it is meant for the contract's other tables)");
        });
      }
    }

    /** Valid ODCS that Lakemesh keeps but does not act on, where a reader could think it does. */
    private static void unchecked(Contract contract, java.util.function.Consumer<String> note) {
      if (contract.table().fields().isEmpty()) {
        note.accept(contract.id() + ": " + contract.table().pointer() + ": schema object '" + contract.table().name()
            + "' declares no properties: its silver rows have no columns (bronze keeps each event whole)");
      }
      propertyNotes(contract, contract.table().fields(), contract.table().pointer(), note);
      contract.locatedRules().stream()
          .filter(r -> r.rule() instanceof io.lakemesh.contracts.model.QualityRule.Library lib
              && lib.metric().equals("rowCount") && lib.field() != null)
          .forEach(r -> note.accept(contract.id() + ": " + r.pointer("metric") + ": rule '" + r.rule().name()
              + "' is a rowCount on property '" + r.rule().field() + "': it counts the table's rows, as on the"
              + " schema object, where ODCS puts it (a property's nulls are a nullValues rule)"));
      repeatedValidValues(contract, note);
    }

    /** A value listed twice in a rule's valid or missing values: harmless, but often a typo for another value. */
    private static void repeatedValidValues(Contract contract, java.util.function.Consumer<String> note) {
      if (contract.document() == null) {
        return;
      }
      for (var located : contract.locatedRules()) {
        for (String list : List.of("validValues", "missingValues")) {
          com.fasterxml.jackson.databind.JsonNode values = contract.document().at(located.pointer()
              + "/arguments/" + list);
          java.util.Map<com.fasterxml.jackson.databind.JsonNode, Integer> first = new java.util.HashMap<>();
          for (int i = 0; i < values.size(); i++) {
            Integer before = first.putIfAbsent(values.get(i), i);
            if (before != null) {
              note.accept(contract.id() + ": " + located.pointer("arguments/" + list + "/" + i) + ": rule '"
                  + located.rule().name() + "' lists " + values.get(i) + " again (first at " + list + "/" + before
                  + "): was another value meant?");
            }
          }
        }
      }
    }

    /**
     * Properties that do not say what they seem to: a number whose format says 32 bits while its physical type says
     * 64 (the format wins, and values lose digits), an integer of more digits than 64 bits hold, a character length
     * on a property that is not a string, a timestamp format that is no pattern, an object requiring a member it
     * does not declare, a decimal physical type without precision (stored as a double).
     */
    private static void propertyNotes(Contract contract, List<io.lakemesh.contracts.model.Field> fields,
        String pointer, java.util.function.Consumer<String> note) {
      for (int i = 0; i < fields.size(); i++) {
        propertyNotes(contract, fields.get(i), pointer + "/properties/" + i, note);
      }
    }

    /** {@link #propertyNotes(Contract, List, String, java.util.function.Consumer)} of one property at {@code at}. */
    private static void propertyNotes(Contract contract, io.lakemesh.contracts.model.Field f, String at,
        java.util.function.Consumer<String> note) {
      String physical = f.physicalType() == null ? "" : f.physicalType().strip().toLowerCase(java.util.Locale.ROOT);
      if ("f32".equals(f.options().format())
          && List.of("double", "double precision", "float8", "float64").contains(physical)) {
        note.accept(contract.id() + ": " + at + ": '" + f.name() + "' has physicalType " + f.physicalType()
            + " and format f32: it is stored as a 32-bit float (about 7 digits); drop the format to keep 64 bits");
      }
      if (f.type() == io.lakemesh.contracts.model.LogicalType.NUMBER && f.options().format() == null
          && List.of("number", "decimal", "numeric").contains(physical)) {
        // Snowflake's NUMBER is NUMBER(38,0), Oracle's any decimal: no one Iceberg decimal serves both
        note.accept(contract.id() + ": " + at + ": '" + f.name() + "' has physicalType " + f.physicalType()
            + " without precision and scale: it is stored as a 64-bit float (about 15 significant digits, decimals"
            + " not exact); write " + f.physicalType() + "(p,s), e.g. " + f.physicalType() + "(38,6), for an exact"
            + " decimal, or logicalType integer for whole numbers");
      }
      int digits = io.lakemesh.contracts.iceberg.IcebergMapping.wholeDigits(f);
      if (digits > 18 && f.options().format() == null) {
        note.accept(contract.id() + ": " + at + ": '" + f.name() + "' is an integer of physicalType "
            + f.physicalType() + " (" + digits + " digits), stored as a 64-bit integer: values beyond"
            + " 9223372036854775807 are quarantined; use logicalType number for a decimal(" + digits + ",0)");
      }
      if (f.type() != io.lakemesh.contracts.model.LogicalType.STRING && f.physicalLength().isPresent()) {
        note.accept(contract.id() + ": " + at + ": '" + f.name() + "' has the character physicalType "
            + f.physicalType() + " but logicalType " + f.type().name().toLowerCase(java.util.Locale.ROOT)
            + ": its length is not checked (only strings' are)");
      }
      String format = f.options().format();
      if (f.type() == io.lakemesh.contracts.model.LogicalType.TIMESTAMP
          && io.lakemesh.contracts.validate.Timestamps.namesAYear(format)
          && io.lakemesh.contracts.validate.Timestamps.pattern(format) == null) {
        // ODCS's own docs write yyyy-MM-ddTHH:mm:ssZ; as a java.time pattern the bare T is no letter it knows
        note.accept(contract.id() + ": " + at + ": '" + f.name() + "' has format '" + format + "', which is no"
            + " date-time pattern Lakemesh can read (quote literal letters: yyyy-MM-dd'T'HH:mm:ssX), so it is"
            + " documentation and values are read as ISO-8601");
      }
      if (f.unique() && !f.isPrimaryKey()) {
        note.accept(contract.id() + ": " + at + "/unique: '" + f.name() + "' is declared unique, which Lakemesh"
            + " does not check (documentation): a primary key deduplicates, a duplicateValues rule with mustBe: 0"
            + " counts repeats in each batch");
      }
      List<String> declared = f.properties().stream().map(io.lakemesh.contracts.model.Field::name).toList();
      f.options().requiredProperties().stream().filter(r -> !f.properties().isEmpty() && !declared.contains(r))
          .forEach(r -> note.accept(contract.id() + ": " + at + "/logicalTypeOptions/required: '" + f.name()
              + "' requires member '" + r + "', which it does not declare: every event must carry it, and it is"
              + " kept in bronze only (declared: " + String.join(", ", declared) + ")"));
      propertyNotes(contract, f.properties(), at, note);
      if (f.items() != null) {
        propertyNotes(contract, f.items(), at + "/items", note);
      }
    }

    /**
     * A rule Lakemesh does not run (another engine, or text) with a severity that would keep data out: valid ODCS,
     * but a reader of the contract may think it enforced.
     */
    private static void unenforced(Contract contract, java.util.function.Consumer<String> note) {
      for (io.lakemesh.contracts.model.LocatedRule located : contract.locatedRules()) {
        // only a severity the author wrote: a text rule without one is documentation and reads as such
        boolean written = contract.document() == null
            || contract.document().at(located.pointer() + "/severity").isTextual();
        if (located.rule() instanceof io.lakemesh.contracts.model.QualityRule.Text text && written
            && (text.severity() == io.lakemesh.contracts.model.Severity.ERROR
                || text.severity() == io.lakemesh.contracts.model.Severity.CRITICAL)) {
          note.accept(contract.id() + ": " + located.pointer() + ": rule '" + text.name() + "' is documentation"
              + " (Lakemesh runs library metrics, cel and sql rules): its severity "
              + text.severity().name().toLowerCase(java.util.Locale.ROOT) + " is not enforced");
        }
      }
    }

    /**
     * A column reading into an array makes each element of it a row of its own for every column of the product,
     * which is easy to miss: a {@code count(tags)} beside {@code count()} doubles the count of rows with two tags.
     */
    private static void arrayNote(Contract gold, AggregatePlan plan, java.util.function.Consumer<String> note) {
      if (plan.array() == null) {
        return;
      }
      List<String> through = java.util.stream.Stream.concat(plan.keys().stream(), plan.measures().stream())
          .filter(c -> c.arrayDepth() > 0).map(AggregatePlan.Column::name).toList();
      note.accept(gold.id() + ": " + String.join(", ", through) + " read" + (through.size() == 1 ? "s" : "")
          + " into array '" + plan.array() + "', so each of its elements is a row of its own for every column:"
          + " count() counts elements and sums add a row's value once per element; an upstream row with no"
          + " elements adds to no group");
    }

    /**
     * A relationship in ODCS shorthand ({@code customers.customer_id}) naming a schema object its own contract does
     * not have points into another contract: when a linted (or built-in) contract has that object, the property
     * must exist there; when none has, a note says it could not be checked.
     */
    private List<Problem> relationshipsToOthers(Contract contract, java.util.function.Consumer<String> note) {
      List<Problem> problems = new ArrayList<>();
      java.util.Set<String> own = new java.util.HashSet<>();
      contract.document().path("schema").forEach(o -> own.add(ProductIds.normalize(o.path("name").asText())));
      for (var rel : contract.metadata().relationships()) {
        if (!rel.path().startsWith(contract.table().pointer() + "/")) {
          continue;
        }
        for (String to : rel.to()) {
          int dot = to.indexOf('.');
          if (to.contains("/") || to.contains("#") || dot <= 0
              || own.contains(ProductIds.normalize(to.substring(0, dot)))) {
            continue; // by ids or with a file, or into this contract: checked with the contract itself
          }
          String object = ProductIds.normalize(to.substring(0, dot));
          List<Contract> holders = byId.values().stream().distinct()
              .filter(other -> ProductIds.normalize(other.table().name()).equals(object)).toList();
          if (holders.isEmpty()) {
            note.accept(contract.id() + ": relationship to '" + to + "' names schema object '" + to.substring(0, dot)
                + "', which no linted (or built-in) contract has; it is not checked");
            continue;
          }
          String property = to.substring(dot + 1);
          boolean found = holders.stream().anyMatch(other -> other.field(property).isPresent());
          if (!found) {
            problems.add(new Problem(rel.path() + "/to", "'" + to + "': " + holders.get(0).id() + " has no property '"
                + property + "'"));
          }
        }
      }
      return problems;
    }
  }

  /**
   * Products of different contracts that would write the same tables ({@code acme.sales.contract} and
   * {@code acme.sales_contract} both make {@code acme.sales_contract_silver}): a node refuses the second, so lint
   * says so first. {@code seen} collects the served tables of the files linted so far.
   */
  static List<Problem> sharedTables(Path file, List<Contract> products, Map<TableIdentifier, String> seen) {
    List<Problem> problems = new ArrayList<>();
    for (Contract contract : products) {
      TableIdentifier table = Product.of(contract).servedTable();
      String other = seen.putIfAbsent(table, contract.id() + " (" + file + ")");
      if (other != null) {
        problems.add(new Problem(contract.table().pointer(), "product " + contract.id() + " would write table "
            + table + ", as product " + other + " does: give one of them another name (or, for the same"
            + " product, another major version)"));
      }
    }
    return problems;
  }

  /** What would stop a node from running one product of a contract the parser accepts. */
  static List<Problem> lint(Contract contract) {
    String object = contract.table().pointer();
    List<Problem> problems = new ArrayList<>();
    Schema schema;
    try {
      schema = IcebergMapping.schema(contract);
    } catch (RuntimeException e) {
      return List.of(new Problem(object, "cannot build the Iceberg schema: " + message(e)));
    }
    List<Field> top = contract.table().fields();
    for (Field f : contract.partitionFields()) {
      String transform = IcebergMapping.transformOf(f);
      Type type = schema.findType(f.name());
      String pointer = transformPointer(contract, object + "/properties/" + top.indexOf(f));
      try {
        Transform<?, ?> t = Transforms.fromString(transform);
        if (!t.canTransform(type)) {
          problems.add(new Problem(pointer, "partition transform " + transform + " does not apply to '" + f.name()
              + "' of type " + type));
        }
      } catch (RuntimeException e) {
        problems.add(new Problem(pointer, "partition transform '" + transform + "': " + message(e)));
      }
    }
    if (problems.isEmpty()) {
      try {
        IcebergMapping.partitionSpec(contract, schema);
      } catch (RuntimeException e) {
        problems.add(new Problem(object + "/properties", "cannot build the partition spec: "
            + io.lakemesh.runtime.product.IcebergMessages.readable(e)));
      }
    }
    try {
      RowValidator.compile(contract);
    } catch (RuntimeException e) {
      problems.add(new Problem(object, "cannot compile the row validator: " + message(e)));
    }
    return problems;
  }

  /** Where a property's partition transform is written, or the property itself when it uses the default. */
  private static String transformPointer(Contract contract, String property) {
    return Contract.customValuePointer(contract.document(), property, "partitionTransform")
        .or(() -> Contract.customValuePointer(contract.document(), property, "lakemeshPartitionTransform"))
        .orElse(property);
  }

  private static String message(RuntimeException e) {
    String m = e.getMessage();
    return m == null ? e.getClass().getSimpleName() : m.replace('\n', ' ');
  }
}
