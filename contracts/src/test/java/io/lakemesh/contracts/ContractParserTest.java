package io.lakemesh.contracts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lakemesh.contracts.iceberg.IcebergMapping;
import io.lakemesh.contracts.model.Contract;
import io.lakemesh.contracts.model.Field;
import io.lakemesh.contracts.model.Stage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.Test;

class ContractParserTest {

  static String sales() throws IOException {
    try (InputStream in = ContractParserTest.class.getResourceAsStream("/contracts/sales.odcs.yaml")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void aValidContractYieldsTheModelSchemaAndPartitioning() throws Exception {
    Contract c = ContractParser.parse("sales", sales());
    assertEquals("retail.transactions", c.id());
    assertEquals(Stage.SOURCE, c.stage());
    assertEquals(List.of("transaction_id"), c.primaryKey().stream().map(f -> f.name()).toList());
    assertEquals(3, c.roles().size());
    Schema schema = IcebergMapping.schema(c);
    assertEquals(Types.DecimalType.of(12, 2), schema.findType("total_amount"));
    assertEquals(Types.TimestampType.withZone(), schema.findType("ts"));
    assertTrue(schema.findType("items").isListType());
    assertEquals(Types.IntegerType.get(), schema.findType("items.element.qty"));
    PartitionSpec spec = IcebergMapping.partitionSpec(c, schema);
    assertEquals("day", spec.fields().get(0).transform().toString());
    assertEquals("identity", spec.fields().get(1).transform().toString());
    assertEquals(List.of("ts", "region"), spec.fields().stream()
        .map(f -> schema.findColumnName(f.sourceId())).toList());
  }

  @Test
  void anUnquotedPhysicalTypeWithACommaInAFlowMappingIsExplained() {
    String text = auths("""
        - {name: auth_id, logicalType: string, primaryKey: true, required: true}
        - {name: amount, physicalType: NUMBER(12,4), required: true}
        """);
    InvalidContractException e = assertThrows(InvalidContractException.class, () -> ContractParser.parse("t", text));
    assertTrue(e.problems().stream().anyMatch(p -> p.reason().contains("quote a physical type with one,"
        + " physicalType: \"NUMBER(12,4)\"")), e.getMessage());
  }

  @Test
  void aKeyOdcsDoesNotDefineIsOneProblemNotOnePerSibling() {
    String text = auths("""
        - {name: auth_id, logicalType: string, primaryKey: true, required: true}
        - {name: amount, logicalType: number, descripton: the amount, businessName: Amount}
        """);
    InvalidContractException e = assertThrows(InvalidContractException.class, () -> ContractParser.parse("t", text));
    assertEquals(List.of("/schema/0/properties/1/descripton"), e.problems().stream().map(Problem::path).toList(),
        e.getMessage());
    assertTrue(e.problems().get(0).reason().contains("not a key of ODCS v3.1"), e.getMessage());
    // where the schema forbids other keys outright, the problem points at the key as well
    InvalidContractException price = assertThrows(InvalidContractException.class, () -> ContractParser.parse("t",
        text.replace("schema:", "price: {priceAmount: 1, priceCurrency: EUR, priceUnit: GB, discount: 5}\nschema:")
            .replace(", descripton: the amount", "")));
    assertEquals(List.of("/price/discount"), price.problems().stream().map(Problem::path).toList(),
        price.getMessage());
  }

  @Test
  void integerPhysicalTypesSetTheWidthOfIntegersAndNumbersAlike() throws Exception {
    for (String physical : new String[] {"bigint", "int8", "int64", "long", "BIGINT"}) {
      for (String type : new String[] {"integer", "number"}) {
        Contract c = ContractParser.parse("t", boundsContract(type + ", physicalType: " + physical, "{}"));
        assertEquals(Types.LongType.get(), IcebergMapping.schema(c).findType("n"), type + " " + physical);
      }
    }
    for (String physical : new String[] {"int", "int4", "integer", "smallint"}) {
      for (String type : new String[] {"integer", "number"}) {
        Contract c = ContractParser.parse("t", boundsContract(type + ", physicalType: " + physical, "{}"));
        assertEquals(Types.IntegerType.get(), IcebergMapping.schema(c).findType("n"), type + " " + physical);
      }
    }
  }

  @Test
  void aDecimalPrecisionInSquareBracketsIsReadAsInParentheses() throws Exception {
    for (String physical : new String[] {"'decimal(12,2)'", "'decimal[12,2]'", "'NUMBER [12, 2]'"}) {
      Contract c = ContractParser.parse("t", boundsContract("number, physicalType: " + physical, "{}"));
      assertEquals(Types.DecimalType.of(12, 2), IcebergMapping.schema(c).findType("n"), physical);
    }
    // brackets that do not pair declare no decimal: refused, saying how to write one
    InvalidContractException mismatched = assertThrows(InvalidContractException.class, () -> ContractParser.parse("t",
        boundsContract("number, physicalType: 'decimal(12,2]'", "{}")));
    assertTrue(mismatched.getMessage().contains("write decimal precision and scale as decimal(p,s)"),
        mismatched.getMessage());
  }

  @Test
  void integerBoundsWithAWholeNumberBetweenThemPass() throws Exception {
    for (String bounds : new String[] {"{exclusiveMinimum: 36, maximum: 37}", "{minimum: 0.5, maximum: 1}",
        "{minimum: -1.5, exclusiveMaximum: -0.5}", "{exclusiveMinimum: -1, exclusiveMaximum: 1}"}) {
      ContractParser.parse("t", boundsContract("integer", bounds));
    }
    for (String bounds : new String[] {"{exclusiveMinimum: 36, exclusiveMaximum: 37}", "{minimum: 0.2, maximum: 0.8}",
        "{minimum: -1.5, exclusiveMaximum: -1}"}) {
      InvalidContractException e = assertThrows(InvalidContractException.class,
          () -> ContractParser.parse("t", boundsContract("integer", bounds)), bounds);
      assertTrue(e.getMessage().contains("no integer can pass"), e.getMessage());
    }
    // a number stored as a whole number (an integer physicalType) is judged the same way
    assertThrows(InvalidContractException.class, () -> ContractParser.parse("t",
        boundsContract("number, physicalType: int", "{minimum: 0.2, maximum: 0.8}")));
  }

  private static String boundsContract(String type, String bounds) {
    return auths("""
        - {name: auth_id, logicalType: string, primaryKey: true, required: true}
        - {name: n, logicalType: %s, logicalTypeOptions: %s}
        """.formatted(type, bounds));
  }

  /** A one-object contract pay.auths with these properties (YAML list items, unindented). */
  @Test
  void anUnquotedVersionAndAFileBeyondTheParsersLimitAreOneClearProblemEach() throws Exception {
    String text = auths("- {name: auth_id, logicalType: string, primaryKey: true, required: true}\n");
    InvalidContractException number = assertThrows(InvalidContractException.class,
        () -> ContractParser.parse("t", text.replace("version: 1.0.0", "version: 1.10")));
    assertEquals(List.of("/version: the version is read as the number 1.1: write it quoted as a semantic version"
        + " X.Y.Z, e.g. version: \"1.0.0\" (ODCS schema)"), number.problems().stream()
            .map(p -> p.path() + ": " + p.reason()).toList(), number.getMessage());
    java.nio.file.Path big = java.nio.file.Files.createTempFile("big", ".odcs.yaml");
    try {
      java.nio.file.Files.writeString(big, text.replace("status: active", "status: active\ndescription:\n"
          + "  purpose: " + "x".repeat(4 * 1024 * 1024)));
      InvalidContractException tooBig = assertThrows(InvalidContractException.class, () -> ContractParser.parse(big));
      assertEquals(1, tooBig.problems().size(), tooBig.getMessage());
      assertTrue(tooBig.problems().get(0).reason().matches("the file is 4,194,[0-9]{3} bytes; a contract file is at"
          + " most 3 MiB \\(3,145,728 bytes; .*"), tooBig.getMessage());
    } finally {
      java.nio.file.Files.delete(big);
    }
  }

  @Test
  void yamlOneOneBooleanWordsAreTextExceptWhereOdcsWantsABoolean() throws Exception {
    Contract c = ContractParser.parse("t", auths("""
        - {name: auth_id, logicalType: string, primaryKey: yes}
        - {name: "no", logicalType: boolean, required: On}
        - name: on
          logicalType: string
          required: off
          quality:
            - {metric: invalidValues, arguments: {validValues: [yes, no, Off]}, mustBe: 0}
        """));
    List<Field> fields = c.table().fields();
    assertEquals(List.of("auth_id", "no", "on"), fields.stream().map(Field::name).toList());
    assertEquals(List.of(1, -1, -1), fields.stream().map(Field::primaryKeyPosition).toList());
    assertEquals(List.of(true, false), List.of(fields.get(1).required(), fields.get(2).required()));
    assertEquals(List.of("yes", "no", "Off"), ((io.lakemesh.contracts.model.QualityRule.Library) fields.get(2).quality().get(0)).validValues());
    InvalidContractException number = assertThrows(InvalidContractException.class, () -> ContractParser.parse("t",
        auths("- {name: auth_id, logicalType: string, primaryKey: true}\n- {name: 2024, logicalType: string}\n")));
    assertEquals(List.of("/schema/0/properties/1/name: integer found, string expected: quote the value, as written,"
        + " to make it text (ODCS schema)"), number.problems().stream().map(p -> p.path() + ": " + p.reason())
            .toList(), number.getMessage());
  }

  @Test
  void aDateInTheMetadataThatIsNoDateIsOneProblem() {
    String text = auths("- {name: auth_id, logicalType: string, primaryKey: true}\n").replace("status: active",
        "status: active\ncontractCreatedTs: 2024-02-30T10:00:00Z\nteam:\n  name: pay\n  members:\n"
            + "    - {username: ann, dateIn: 2024-13-45, dateOut: 2024-12-01}\n");
    InvalidContractException e = assertThrows(InvalidContractException.class, () -> ContractParser.parse("t", text));
    assertEquals(List.of("/contractCreatedTs: '2024-02-30T10:00:00Z' is not a date-time (RFC 3339, e.g."
        + " 2026-11-27T10:00:00Z) (ODCS schema)", "/team/members/0/dateIn: '2024-13-45' is not a date (yyyy-MM-dd,"
        + " e.g. 2026-11-27) (ODCS schema)"), e.problems().stream().map(p -> p.path() + ": " + p.reason()).toList());
  }

  private static String auths(String properties) {
    return """
        apiVersion: v3.1.0
        kind: DataContract
        id: pay.auths
        version: 1.0.0
        status: active
        schema:
          - name: auths
            properties:
        """ + properties.indent(6);
  }

  @Test
  void aKeyPositionBelowOneIsOneProblemNotAlsoTheRepeatItCauses() {
    String text = auths("""
        - {name: day, logicalType: date, primaryKey: true, primaryKeyPosition: 0, required: true}
        - {name: auth_id, logicalType: string, primaryKey: true, primaryKeyPosition: 1, required: true}
        """);
    InvalidContractException e = assertThrows(InvalidContractException.class, () -> ContractParser.parse("t", text));
    assertEquals(List.of("/schema/0/properties/0/primaryKeyPosition"),
        e.problems().stream().map(Problem::path).toList(), e.getMessage());
  }

  @Test
  void everyProblemIsListedWithItsPath() throws Exception {
    String broken = sales()
        .replace("apiVersion: v3.1.0", "apiVersion: v9")                       // not an ODCS version
        .replace("logicalType: timestamp", "logicalType: datetime")            // unknown logical type
        .replace("implementation: 'ts <= now + duration(\"5m\")'", "implementation: 'ts <= nope'"); // CEL
    InvalidContractException e = assertThrows(InvalidContractException.class,
        () -> ContractParser.parse("broken", broken));
    List<String> paths = e.problems().stream().map(Problem::path).toList();
    assertTrue(paths.contains("/apiVersion"), e.getMessage());
    assertTrue(paths.stream().anyMatch(p -> p.startsWith("/schema/0/properties/3")), e.getMessage());
    List<String> typeProblems = e.problems().stream().filter(p -> p.path().endsWith("/logicalType"))
        .map(Problem::toString).toList();
    assertEquals(1, typeProblems.size(), "one mistake, one line: " + typeProblems);
    assertTrue(typeProblems.get(0).endsWith("unknown logical type 'datetime' (ODCS logical types: string, date,"
        + " timestamp, time, number, integer, object, array, boolean); checked as timestamp, which it most likely"
        + " means"), typeProblems.toString());
  }

  /**
   * A misspelt logical type is checked as the type it most likely means: the property's other mistakes are listed in
   * the same lint, and a rule over it is not refused for a type nobody meant (a QA user chased a false CEL error).
   */
  @Test
  void anUnknownLogicalTypeIsCheckedAsTheLikelyOneSoNothingElseHides() {
    String text = auths("""
        - {name: auth_id, logicalType: strng, primaryKey: true, primaryKeyPosition: 0, required: true,
           logicalTypeOptions: {minLength: 5, maxLength: 2}}
        - {name: battery, logicalType: int32, required: true}
        - {name: note, logicalType: jsonish, primaryKey: true, primaryKeyPosition: 0, logicalTypeOptions: {minimum: 1}}
        """) + """
        roles:
          - role: auditor
            access: read
            customProperties:
              - {property: lakemeshRowFilter, value: row.battery >= 10}
        """;
    InvalidContractException e = assertThrows(InvalidContractException.class, () -> ContractParser.parse("t", text));
    List<String> paths = e.problems().stream().map(Problem::path).toList();
    assertEquals(List.of("/schema/0/properties/0/logicalType",
        "/schema/0/properties/0/logicalTypeOptions/minLength",
        "/schema/0/properties/0/primaryKeyPosition",
        "/schema/0/properties/1/logicalType",
        "/schema/0/properties/2/logicalType",
        "/schema/0/properties/2/primaryKeyPosition"), paths, e.getMessage());
    assertTrue(e.problems().get(0).reason().endsWith("checked as string, which it most likely means"),
        e.getMessage());
    assertTrue(e.problems().get(3).reason().endsWith("checked as integer, which it most likely means"),
        e.getMessage());
    // no guess for 'jsonish': read as text, its bounds not judged (they would be for a type nobody meant)
    assertTrue(e.problems().get(4).reason().endsWith("boolean)"), e.getMessage());
  }

  @Test
  void mistakesTheSchemaFindsDoNotHideTheDeeperOnes() {
    String text = auths("""
        - {name: auth_id, logicalType: string, primaryKey: true, required: true, logicalTypeOptions: {maxLength: -1}}
        - {name: amount, logicalType: number, physicalType: 'decimal(39,2)'}
        - {name: fee, logicalType: number, physicalType: 'decimal(0,0)'}
        - {name: lat, logicalType: number, logicalTypeOptions: {minimum: 91, maximum: 90}}
        - {name: card, logicalType: object, properties: [{logicalType: string}]}
        """);
    InvalidContractException e = assertThrows(InvalidContractException.class, () -> ContractParser.parse("t", text));
    assertEquals(List.of(
            "/schema/0/properties/0/logicalTypeOptions/maxLength",  // the ODCS schema's
            "/schema/0/properties/1/physicalType",                  // more digits than Iceberg holds: not a crash
            "/schema/0/properties/2/physicalType",
            "/schema/0/properties/3/logicalTypeOptions/minimum",    // ours, found in the same run
            "/schema/0/properties/4/properties/0/name"),            // once, not also as the schema's "required"
        e.problems().stream().map(Problem::path).toList(), e.getMessage());
    assertTrue(e.problems().get(1).reason().startsWith("decimal precision is 1 to 38 digits"), e.getMessage());
    assertTrue(e.problems().get(2).reason().startsWith("decimal precision is 1 to 38 digits"), e.getMessage());
  }

  @Test
  void thresholdsNoMeasurementCanMeetAreRefusedOneLineEach() {
    String text = auths("""
        - {name: auth_id, logicalType: string, primaryKey: true, required: true}
        - name: a
          logicalType: string
          quality:
            - {name: a1, metric: nullValues, mustBeBetween: [20, 0]}
            - {name: a2, metric: nullValues, mustBeBetween: [0, 200], unit: percent}
            - {name: a3, metric: nullValues, mustBe: 0, mustNotBe: 1}
            - {name: a4, metric: nullValues, mustBeGreaterThan: 100, unit: percent}
            - {name: a5, metric: nullValues, mustBeLessThan: 0}
        """) + """
            quality:
              - {name: rc, metric: rowCount, mustBeGreaterThan: 10, unit: percent}
        """;
    InvalidContractException e = assertThrows(InvalidContractException.class, () -> ContractParser.parse("t", text));
    assertEquals(List.of(
            "/schema/0/properties/1/quality/0/mustBeBetween: rule 'a1': mustBeBetween [20, 0] has its low bound above"
                + " its high one: write [0, 20]",
            "/schema/0/properties/1/quality/1/mustBeBetween: rule 'a2': a percent is 0 to 100; got 200",
            "/schema/0/properties/1/quality/2: a quality rule takes one comparison, got mustBe and mustNotBe (one of"
                + " mustBe, mustNotBe, mustBeGreaterThan, mustBeGreaterOrEqualTo, mustBeLessThan,"
                + " mustBeLessOrEqualTo, mustBeBetween, mustNotBeBetween; mustBeBetween: [low, high] for a range)",
            "/schema/0/properties/1/quality/3/mustBeGreaterThan: rule 'a4': mustBeGreaterThan: 100 %: no share can be"
                + " more than 100 %",
            "/schema/0/properties/1/quality/4/mustBeLessThan: rule 'a5': mustBeLessThan 0: a count is never below 0,"
                + " so no batch can meet it",
            "/schema/0/quality/0/unit: rule 'rc': rowCount counts rows: a percent of them has no meaning (leave unit"
                + " out)"),
        e.problems().stream().map(Problem::toString).toList(), e.getMessage());
  }

  @Test
  void anUnknownKeyIsListedEvenWhenSomethingElseInItsObjectIsWrong() {
    // each alone was always listed; together the inner mistake hid the unknown key until it was fixed
    InvalidContractException e = assertThrows(InvalidContractException.class, () -> ContractParser.parse("t",
        auths("""
            - {name: auth_id, logicalType: string, primaryKey: true, required: true}
            - name: amount
              logicalType: number
              colour: red
              quality:
                - {name: q, metric: nullValues, mustBe: 0, shade: blue}
                - {name: r, mustBe: 0}
            """).replace("  - name: auths\n", "  - name: auths\n    flavour: sour\n")));
    assertEquals(List.of(
            "/schema/0/flavour", "/schema/0/properties/1/colour", "/schema/0/properties/1/quality/0/shade",
            "/schema/0/properties/1/quality/1/metric"),
        e.problems().stream().map(Problem::path).sorted().toList(), e.getMessage());
    assertTrue(e.getMessage().contains("/schema/0/properties/1/quality/1/metric: a quality rule with mustBe compares"
        + " a measurement: name its metric"), e.getMessage());
  }

  @Test
  void anOdcsKeyInTheWrongPlaceIsNamedAtItsOwnPointerAndItsValidSiblingsAreNot() {
    // driver belongs to a server, element and username to other parts of ODCS: each is one line at its key, and
    // the valid keys beside them (name, logicalType), which the validator also calls "not evaluated", are not listed
    InvalidContractException e = assertThrows(InvalidContractException.class, () -> ContractParser.parse("t",
        auths("""
            - {name: auth_id, logicalType: string, primaryKey: true, required: true, element: x, username: y}
            """).replace("  - name: auths\n", "  - name: auths\n    driver: pg\n")));
    assertEquals(List.of(
            "/schema/0/driver: 'driver' is not a key ODCS v3.1 allows here (ODCS uses it in another part of a"
                + " contract: check where it is indented)",
            "/schema/0/properties/0/element: 'element' is not a key ODCS v3.1 allows here (ODCS uses it in another"
                + " part of a contract: check where it is indented)",
            "/schema/0/properties/0/username: 'username' is not a key ODCS v3.1 allows here (ODCS uses it in another"
                + " part of a contract: check where it is indented)"),
        e.problems().stream().map(Problem::toString).sorted().toList(), e.getMessage());
  }

  @Test
  void relationshipMistakesAreOneReadableLineEach() {
    InvalidContractException e = assertThrows(InvalidContractException.class, () -> ContractParser.parse("t", """
        apiVersion: v3.1.0
        kind: DataContract
        id: shop.orders
        version: 1.0.0
        status: active
        schema:
          - name: orders
            relationships:
              - {from: orders.id, to: [lines.order_id, lines.line_no]}
              - {type: foreignKey}
            properties:
              - name: id
                logicalType: string
                relationships:
                  - {from: orders.id, to: customers.id}
        """));
    assertEquals(List.of(
            "/schema/0/properties/0/relationships/0/from: 'from' is not allowed here: The 'from' field must not be"
                + " specified at property level as it is implicitly derived from the property context (ODCS schema)",
            "/schema/0/relationships/0: from and to are both one column (text) or both lists of the same length (a"
                + " composite key); here only to is a list",
            "/schema/0/relationships/1/from: required property 'from' not found (ODCS schema)",
            "/schema/0/relationships/1/to: required property 'to' not found (ODCS schema)"),
        e.problems().stream().map(Problem::toString).sorted().toList(), e.getMessage());
  }

  @Test
  void aValueOutsideAnEnumerationIsNamedAndARangeOfOneNumberIsOneLine() {
    InvalidContractException e = assertThrows(InvalidContractException.class, () -> ContractParser.parse("t",
        auths("""
            - {name: auth_id, logicalType: string, primaryKey: true, required: true}
            - name: a
              logicalType: integer
              quality:
                - {name: q, metric: nullValues, mustBeBetween: [100]}
            """).replace("kind: DataContract", "kind: DataModel")));
    assertEquals(List.of(
            "/kind: 'DataModel' is not one of the values ODCS allows here: [\"DataContract\"] (ODCS schema)",
            "/schema/0/properties/1/quality/0/mustBeBetween: needs two numbers [low, high]"),
        e.problems().stream().map(Problem::toString).toList(), e.getMessage());
  }

  @Test
  void eachOfTheseMistakesIsOneLine() {
    InvalidContractException e = assertThrows(InvalidContractException.class, () -> ContractParser.parse("t",
        auths("""
            - {name: auth_id, logicalType: string, primaryKey: true, required: true}
            - name: a
              logicalType: integer
              quality:
                - {name: r, metric: nullValues, mustBeBetween: [low, high]}
                - {name: t, type: text, description: never null, mustBe: 0}
                - {name: c, type: custom, engine: cel}
            - {name: tags, logicalType: string, description: tags, items: {logicalType: string}}
            - {name: addr, logicalType: string, properties: [{name: city, logicalType: string}]}
            """).replace("kind: DataContract", "kind: DataContract\nowner: team-a")));
    assertEquals(List.of(
            "/owner: 'owner' is not a key ODCS v3.1 allows here (ODCS schema)",
            "/schema/0/properties/1/quality/0/mustBeBetween: needs two numbers [low, high]",
            "/schema/0/properties/1/quality/1/mustBe: a text rule takes no comparison: mustBe belongs to a library rule"
                + " (with a metric) or an sql rule",
            "/schema/0/properties/1/quality/2/implementation: a CEL rule's implementation is its expression as a"
                + " string",
            "/schema/0/properties/2/items: 'items' belongs to a property of logicalType array, and this one is string:"
                + " make it logicalType array or drop 'items' (ODCS schema)",
            "/schema/0/properties/3/properties: 'properties' belongs to a property of logicalType object, and this one"
                + " is string: make it logicalType object or drop 'properties' (ODCS schema)"),
        e.problems().stream().map(Problem::toString).toList(), e.getMessage());
  }

  @Test
  void anEmptyFileSaysItIsEmpty() {
    for (String text : List.of("", "# only a comment\n", "---\n")) {
      InvalidContractException e = assertThrows(InvalidContractException.class, () -> ContractParser.parse("t", text));
      assertEquals(List.of("/: the file is empty (or only comments): a contract must be a YAML mapping"),
          e.problems().stream().map(Problem::toString).toList(), "'" + text + "'");
    }
    InvalidContractException list = assertThrows(InvalidContractException.class,
        () -> ContractParser.parse("t", "- a\n- b\n"));
    assertEquals(List.of("/: a contract must be a YAML mapping"), list.problems().stream().map(Problem::toString)
        .toList());
  }

  @Test
  void aFileThatIsNotUtf8TextSaysSoWithoutAJavaExceptionName(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws Exception {
    java.nio.file.Path file = dir.resolve("image.odcs.yaml");
    java.nio.file.Files.write(file, new byte[] {(byte) 0x89, 'P', 'N', 'G', (byte) 0xff, (byte) 0xfe, 0});
    InvalidContractException e = assertThrows(InvalidContractException.class, () -> ContractParser.parseAll(file));
    assertEquals(List.of("/: not UTF-8 text (a contract is YAML or JSON in UTF-8; is this a binary file?)"),
        e.problems().stream().map(Problem::toString).toList());
  }

  @Test
  void aRangeNamingOneNumberTwiceSaysWhatToWriteInsteadOnce() {
    // ODCS's schema gives ranges uniqueItems: [0, 0] is refused by it, and the reason is the repeat, not the shape
    InvalidContractException e = assertThrows(InvalidContractException.class, () -> ContractParser.parse("t", auths("""
        - {name: auth_id, logicalType: string, primaryKey: true, required: true}
        - name: a
          logicalType: string
          quality:
            - {name: z, metric: nullValues, mustBeBetween: [0, 0]}
            - {name: p, metric: nullValues, mustNotBeBetween: [5, 5], unit: percent}
        """)));
    assertEquals(List.of(
            "/schema/0/properties/1/quality/0/mustBeBetween: a quality rule's mustBeBetween [0,0] names one number"
                + " twice, which ODCS does not allow (its two items must differ); for exactly that value write"
                + " mustBe: 0",
            "/schema/0/properties/1/quality/1/mustNotBeBetween: a quality rule's mustNotBeBetween [5,5] names one"
                + " number twice, which ODCS does not allow (its two items must differ); for exactly that value write"
                + " mustNotBe: 5"),
        e.problems().stream().map(Problem::toString).toList(), e.getMessage());
  }

  @Test
  void integerBoundsBeyondTheColumnsWidthAreNamedOnEachSide() {
    InvalidContractException e = assertThrows(InvalidContractException.class, () -> ContractParser.parse("t",
        boundsContract("integer", "{format: u8, minimum: -5, maximum: 300}")));
    assertEquals(List.of(
            "/schema/0/properties/1/logicalTypeOptions/maximum: maximum 300 is beyond an unsigned 8-bit integer"
                + " (format u8) (0..255): values above 255 would be quarantined; choose a wider format",
            "/schema/0/properties/1/logicalTypeOptions/minimum: minimum -5 is beyond an unsigned 8-bit integer"
                + " (format u8) (0..255): values below 0 would be quarantined; choose a wider format"),
        e.problems().stream().map(Problem::toString).toList());
    InvalidContractException plain = assertThrows(InvalidContractException.class, () -> ContractParser.parse("t",
        boundsContract("integer", "{maximum: 3000000000}")));
    assertTrue(plain.getMessage().contains("maximum 3000000000 is beyond a 32-bit integer"
        + " (-2147483648..2147483647): values above 2147483647 would be quarantined; store it wider with format: i64"),
        plain.getMessage());
  }

  @Test
  void decimalBoundsBeyondItsPrecisionAreRefused() {
    InvalidContractException e = assertThrows(InvalidContractException.class, () -> ContractParser.parse("t", auths("""
        - {name: auth_id, logicalType: string, primaryKey: true, required: true}
        - {name: fee, logicalType: number, physicalType: 'decimal(5,2)', logicalTypeOptions: {minimum: 0, maximum: 100000}}
        """)));
    assertEquals(List.of("/schema/0/properties/1/logicalTypeOptions/maximum: maximum 100000 is beyond decimal(5,2)"
        + " (-999.99..999.99): values above 999.99 would be quarantined; widen the precision"),
        e.problems().stream().map(Problem::toString).toList());
  }

  @Test
  void aPropertyWithoutALogicalTypeTakesItFromItsPhysicalTypeElseIsText() throws Exception {
    Contract contract = ContractParser.parse("t", auths("""
        - {name: auth_id, physicalType: varchar(36), primaryKey: true, required: true}
        - {name: attempts, physicalType: smallint}
        - {name: seq, physicalType: bigserial}
        - {name: amount, physicalType: 'decimal(12,2)'}
        - {name: approved, physicalType: boolean}
        - {name: settled_on, physicalType: date}
        - {name: created_at, physicalType: timestamptz}
        - {name: note}
        """));
    assertEquals(List.of("STRING", "INTEGER", "INTEGER", "NUMBER", "BOOLEAN", "DATE", "TIMESTAMP", "STRING"),
        contract.table().fields().stream().map(f -> f.type().name()).toList());
    Schema schema = IcebergMapping.schema(contract);
    assertEquals(Types.LongType.get(), schema.findType("seq"));
    assertEquals(Types.DecimalType.of(12, 2), schema.findType("amount"));
  }

  @Test
  void aDateWithATimestampOrTimePhysicalTypeOrATimeOfDayFormatKeepsItsTime() throws Exception {
    // ODCS v3.0 wrote timestamps and times as dates with a physical type; the official examples still do
    Contract contract = ContractParser.parse("t", auths("""
        - {name: auth_id, logicalType: string, primaryKey: true, required: true}
        - {name: txn_timestamp, logicalType: date, physicalType: timestamp,
           logicalTypeOptions: {format: "yyyy-MM-dd HH:mm:ss", minimum: "2020-01-01 00:00:00"}}
        - {name: starts, logicalType: date, physicalType: time}
        - {name: logged, logicalType: date, logicalTypeOptions: {format: "dd/MM/yyyy HH:mm"}}
        - {name: booked, logicalType: date, logicalTypeOptions: {format: "dd/MM/yyyy"}}
        - {name: opens, logicalType: date, logicalTypeOptions: {format: "HH:mm"}}
        - {name: named, logicalType: date, logicalTypeOptions: {format: date}}
        - {name: iso, logicalType: date, logicalTypeOptions: {format: iso}}
        - {name: json_schema, logicalType: date, logicalTypeOptions: {format: date-time}}
        """));
    assertEquals(List.of("STRING", "TIMESTAMP", "TIME", "TIMESTAMP", "DATE", "TIME", "DATE", "DATE", "TIMESTAMP"),
        contract.table().fields().stream().map(f -> f.type().name()).toList());
  }

  @Test
  void anUnknownKeyDeepInsideIsTheOnlyProblemNamedNotTheKnownKeysAroundIt() {
    InvalidContractException e = assertThrows(InvalidContractException.class, () -> ContractParser.parse("t",
        auths("""
            - name: auth_id
              logicalType: string
              primaryKey: true
              quality:
                - {name: q1, metric: nullValues, mustBe: 0, undefinedQualityProp: x}
            """)));
    assertEquals(List.of("/schema/0/properties/0/quality/0/undefinedQualityProp"),
        e.problems().stream().map(Problem::path).toList(), e.getMessage());
  }

  @Test
  void aWrongKeyInATeamListIsNamedWithoutTheAlternativesItFailed() {
    InvalidContractException e = assertThrows(InvalidContractException.class, () -> ContractParser.parse("t",
        auths("""
            - {name: auth_id, logicalType: string, primaryKey: true, required: true}
            """).replace("schema:\n", "team:\n  - {username: alice, role: owner}\n  - {username: bob, comment: hi}\n"
            + "schema:\n")));
    assertEquals(List.of("/team/1/comment: 'comment' is not a key ODCS v3.1 allows here (ODCS schema)"),
        e.problems().stream().map(Problem::toString).toList(), e.getMessage());
  }

  @Test
  void aDefaultTimezoneMustNameAZone() throws Exception {
    InvalidContractException e = assertThrows(InvalidContractException.class, () -> ContractParser.parse("t",
        auths("""
            - {name: auth_id, logicalType: string, primaryKey: true, required: true}
            - {name: at, logicalType: timestamp, logicalTypeOptions: {defaultTimezone: Mars/Olympus}}
            """)));
    assertEquals(List.of("/schema/0/properties/1/logicalTypeOptions/defaultTimezone"),
        e.problems().stream().map(Problem::path).toList(), e.getMessage());
    for (String zone : new String[] {"''", "' '", "Europe/Berln"}) {
      assertThrows(InvalidContractException.class, () -> ContractParser.parse("t", auths("""
          - {name: auth_id, logicalType: string, primaryKey: true, required: true}
          - {name: at, logicalType: timestamp, logicalTypeOptions: {defaultTimezone: ZONE}}
          """.replace("ZONE", zone))), zone);
    }
    assertThrows(InvalidContractException.class, () -> ContractParser.parse("t", auths("""
        - {name: auth_id, logicalType: string, primaryKey: true, required: true}
        - {name: opens, logicalType: time, logicalTypeOptions: {defaultTimezone: Europe/Paris}}
        """)), "a time of day has no zone");
    ContractParser.parse("t", auths("""
        - {name: auth_id, logicalType: string, primaryKey: true, required: true}
        - {name: at, logicalType: timestamp, logicalTypeOptions: {defaultTimezone: EST}}
        """));
  }

  @Test
  void keyColumnsWithoutPositionsAreInDeclarationOrder() throws Exception {
    Contract contract = ContractParser.parse("t", auths("""
        - {name: day, logicalType: date, primaryKey: true, required: true}
        - {name: auth_id, logicalType: string, primaryKey: true, required: true}
        - {name: region, logicalType: string, partitioned: true}
        - {name: site, logicalType: string, partitioned: true}
        """));
    assertEquals(List.of("day", "auth_id"), contract.primaryKey().stream().map(Field::name).toList());
    Contract minusOne = ContractParser.parse("t", auths("""
        - {name: day, logicalType: date, primaryKey: true, primaryKeyPosition: -1, required: true}
        - {name: auth_id, logicalType: string, primaryKey: true, primaryKeyPosition: -1, required: true}
        """));
    assertEquals(List.of("day", "auth_id"), minusOne.primaryKey().stream().map(Field::name).toList(),
        "-1 written out is ODCS's default, not given");
    assertEquals(List.of("region", "site"), contract.partitionFields().stream().map(Field::name).toList());
  }

  @Test
  void aKeyColumnWithoutAPositionBesideOnesWithIsNamedAtItself() {
    String text = auths("""
        - {name: auth_id, logicalType: string, primaryKey: true, required: true}
        - {name: day, logicalType: date, primaryKey: true, primaryKeyPosition: 1, required: true}
        - {name: region, logicalType: string, partitioned: true, partitionKeyPosition: 1}
        """);
    InvalidContractException e = assertThrows(InvalidContractException.class, () -> ContractParser.parse("t", text));
    assertEquals(List.of("/schema/0/properties/0"), e.problems().stream().map(Problem::path).toList(),
        e.getMessage());
    assertTrue(e.problems().get(0).reason().equals("the primary key has 2 columns: give 'auth_id' a"
        + " primaryKeyPosition (1..2) to order them"), e.getMessage());
  }

  @Test
  void everyMistakeOfOneCelRuleIsNamedAtOnce() throws Exception {
    String broken = sales().replace("implementation: 'ts <= now + duration(\"5m\")'",
        "implementation: 'items.all(i, i.qyt > 0) && totl_amount > 0.0'");
    InvalidContractException e = assertThrows(InvalidContractException.class,
        () -> ContractParser.parse("broken", broken));
    String all = e.getMessage();
    assertTrue(all.contains("'items[]' has no property 'qyt'"), all);
    assertTrue(all.contains("totl_amount"), "the second mistake is in the same run: " + all);
  }

  @Test
  void semanticProblemsAreFoundToo() throws Exception {
    String broken = sales()
        .replace("implementation: 'ts <= now + duration(\"5m\")'", "implementation: 'ts <= nope'")
        .replace("name: store_id", "name: transaction_id");
    InvalidContractException e = assertThrows(InvalidContractException.class,
        () -> ContractParser.parse("broken", broken));
    String all = e.getMessage();
    assertTrue(all.contains("duplicate property name 'transaction_id'"), all);
    assertTrue(all.contains("ts_not_in_future") && all.contains("nope"), all);
  }

  @Test
  void notYamlIsOneClearProblem() {
    InvalidContractException e = assertThrows(InvalidContractException.class,
        () -> ContractParser.parse("junk", "id: [unclosed"));
    assertEquals(1, e.problems().size());
    assertTrue(e.problems().get(0).reason().startsWith("not valid YAML"), e.getMessage());
  }

  @Test
  void aRuleWithoutThresholdIsOneLineNamingTheChoices() throws Exception {
    String broken = sales().replace("          properties: [transaction_id]\n        mustBe: 0\n",
        "          properties: [transaction_id]\n");
    InvalidContractException e = assertThrows(InvalidContractException.class,
        () -> ContractParser.parse("broken", broken));
    assertEquals(1, e.problems().size(), e.getMessage());
    Problem p = e.problems().get(0);
    assertTrue(p.path().matches("/schema/0/quality/\\d+"), e.getMessage());
    assertTrue(p.reason().startsWith("a quality rule needs one of mustBe, mustNotBe,")
        && p.reason().endsWith("(none given)"), e.getMessage());
  }

  @Test
  void anOptionOfAnotherTypeIsOneLineAtTheOption() throws Exception {
    String broken = sales().replace("        description: Store code, S- and four digits.\n        logicalTypeOptions:\n",
        "        description: Store code, S- and four digits.\n        logicalTypeOptions:\n          minimum: 3\n");
    InvalidContractException e = assertThrows(InvalidContractException.class,
        () -> ContractParser.parse("broken", broken));
    assertEquals(1, e.problems().size(), e.getMessage());
    assertTrue(e.problems().get(0).path().endsWith("/logicalTypeOptions/minimum"), e.getMessage());
    assertTrue(e.problems().get(0).reason().startsWith("'minimum' is not an option of logicalType string"),
        e.getMessage());
  }

  @Test
  void aBrokenJsonFileIsReportedAsJsonWithLineAndColumnOnly() {
    InvalidContractException e = assertThrows(InvalidContractException.class,
        () -> ContractParser.parse("orders.json", "{\"apiVersion\": \"v3.1.0\", \"kind\": \"DataContract\""));
    assertEquals(1, e.problems().size(), e.getMessage());
    String reason = e.problems().get(0).reason();
    assertTrue(reason.startsWith("not valid JSON: line 1, column "), reason);
    assertTrue(!reason.contains("Source") && !reason.contains("StreamReadFeature") && !reason.contains("\n"), reason);
  }

  @Test
  void aYamlErrorIsOneLineWithLineAndColumn() {
    InvalidContractException e = assertThrows(InvalidContractException.class,
        () -> ContractParser.parse("junk.yaml", "apiVersion: v3.1.0\nkind: [\n"));
    assertEquals("not valid YAML: line 3, column 1: expected the node content, but found '<stream end>' (while"
        + " parsing a flow node)", e.problems().get(0).reason());
  }

  @Test
  void severalYamlDocumentsInOneFileAreRefusedNotHalfRead() throws Exception {
    InvalidContractException e = assertThrows(InvalidContractException.class,
        () -> ContractParser.parse("two.yaml", sales() + "\n---\n" + sales()));
    assertEquals(1, e.problems().size(), e.getMessage());
    assertTrue(e.problems().get(0).reason().startsWith("the file holds 2 YAML documents"), e.getMessage());
  }

  @Test
  void aKeyWrittenTwiceIsAProblem() throws Exception {
    InvalidContractException e = assertThrows(InvalidContractException.class,
        () -> ContractParser.parse("twice.yaml", sales().replace("apiVersion: v3.1.0\n",
            "apiVersion: v3.1.0\napiVersion: v3.1.0\n")));
    assertTrue(e.problems().get(0).reason().contains("Duplicate field 'apiVersion'"), e.getMessage());
  }

  @Test
  void unnamedRulesGetNamesThatDoNotCollide() throws Exception {
    String text;
    try (java.io.InputStream in = ContractParserTest.class.getResourceAsStream(
        "/corpus/valid/unnamed-rules.odcs.yaml")) {
      text = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    }
    Contract c = ContractParser.parse("unnamed-rules.odcs.yaml", text);
    assertEquals(List.of("sql-0", "rowCount", "rowCount-2", "sql-0:order_id", "text-1:order_id",
        "sql-0:order_total", "text-1:order_total", "nullValues:order_total", "nullValues:order_total-2"),
        c.locatedRules().stream().map(r -> r.rule().name()).toList());
  }
}
