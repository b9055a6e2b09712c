package io.lakemesh.contracts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lakemesh.contracts.model.Contract;
import io.lakemesh.contracts.validate.Outcome;
import io.lakemesh.contracts.validate.RowValidator;
import io.lakemesh.contracts.validate.Violation;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RowValidatorTest {
  static final Instant NOW = Instant.parse("2026-11-25T10:00:00Z");
  static Contract contract;
  static RowValidator validator;

  static final String VALID = """
      {"transaction_id":"T-1","store_id":"S-0042","region":"NCR","ts":"2026-11-25T09:59:00Z",
       "payment_method":"gcash","customer_id":"C-1","total_amount":45.75,
       "items":[{"product_id":"P-1","product_name":"Pancit Canton","brand":"Lucky Me","category":"noodles",
                 "qty":2,"unit_price":15.25,"line_amount":30.50},
                {"product_id":"P-2","product_name":"Kopiko","brand":"Kopiko","category":"beverages",
                 "qty":1,"unit_price":15.25,"line_amount":15.25}]}""";

  @BeforeAll
  static void load() throws IOException, InvalidContractException {
    try (InputStream in = RowValidatorTest.class.getResourceAsStream("/contracts/sales.odcs.yaml")) {
      contract = ContractParser.parse("sales.odcs.yaml", new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
    validator = RowValidator.compile(contract);
  }

  @Test
  void aFailedRuleSaysWhichOfItsColumnsWereAbsent() throws Exception {
    RowValidator sensors = RowValidator.compile(ContractParser.parse("sensors", """
        apiVersion: v3.1.0
        kind: DataContract
        id: iot.readings
        version: 1.0.0
        status: active
        domain: iot
        schema:
          - name: readings
            properties:
              - {name: id, logicalType: string, primaryKey: true, required: true}
              - {name: temperature, logicalType: number}
            quality:
              - {name: not_too_hot, type: custom, engine: cel, implementation: 'temperature < 60.0'}
        """));
    Outcome missing = sensors.validate("{\"id\":\"r1\"}".getBytes(StandardCharsets.UTF_8), NOW);
    List<Violation> errors = ((Outcome.Rejected) missing).errors();
    assertEquals(1, errors.size(), errors.toString());
    assertTrue(errors.get(0).message().endsWith("(temperature absent)"), errors.toString());
    Outcome hot = sensors.validate("{\"id\":\"r2\",\"temperature\":70}".getBytes(StandardCharsets.UTF_8), NOW);
    assertEquals("fails temperature < 60.0", ((Outcome.Rejected) hot).errors().get(0).message());
  }

  @Test
  void timestampsWithoutAnOffsetAreReadInTheDefaultTimezoneAndADateWithATimeKeepsIt() throws Exception {
    RowValidator payments = RowValidator.compile(ContractParser.parse("payments", """
        apiVersion: v3.1.0
        kind: DataContract
        id: pay.payments
        version: 1.0.0
        status: active
        domain: pay
        schema:
          - name: payments
            properties:
              - {name: id, logicalType: string, primaryKey: true, required: true}
              - {name: local_ts, logicalType: timestamp, logicalTypeOptions: {defaultTimezone: Europe/Paris}}
              - {name: txn_timestamp, logicalType: date, physicalType: timestamp,
                 logicalTypeOptions: {format: "yyyy-MM-dd HH:mm:ss", minimum: "2020-01-01 00:00:00"}}
              - {name: logged, logicalType: date, logicalTypeOptions: {format: "dd/MM/yyyy HH:mm", minimum: "2020-01-01"}}
        """));
    Outcome ok = payments.validate(("{\"id\":\"p1\",\"local_ts\":\"2026-11-25 09:15:30\","
        + "\"txn_timestamp\":\"2020-06-01 13:45:00\"}").getBytes(StandardCharsets.UTF_8), NOW);
    org.apache.iceberg.data.Record row = ((Outcome.Accepted) ok).row();
    assertEquals(java.time.OffsetDateTime.parse("2026-11-25T08:15:30Z"), row.getField("local_ts"));
    assertEquals(java.time.OffsetDateTime.parse("2020-06-01T13:45:00Z"), row.getField("txn_timestamp"));
    Outcome patterned = payments.validate(("{\"id\":\"p3\",\"logged\":\"25/11/2026 08:15\"}")
        .getBytes(StandardCharsets.UTF_8), NOW);
    assertEquals(java.time.OffsetDateTime.parse("2026-11-25T08:15:00Z"),
        ((Outcome.Accepted) patterned).row().getField("logged"), "written in the property's own format");
    Outcome beforeBound = payments.validate(("{\"id\":\"p4\",\"logged\":\"31/12/2019 23:59\"}")
        .getBytes(StandardCharsets.UTF_8), NOW);
    assertEquals("minimum", ((Outcome.Rejected) beforeBound).errors().get(0).rule(), beforeBound.toString());
    Outcome early = payments.validate(("{\"id\":\"p2\",\"txn_timestamp\":\"2019-12-31 23:59:59\"}")
        .getBytes(StandardCharsets.UTF_8), NOW);
    assertEquals("minimum", ((Outcome.Rejected) early).errors().get(0).rule(), early.toString());
  }

  @Test
  void anObjectsRequiredMembersAndMemberCountsAreChecked() throws Exception {
    RowValidator customers = RowValidator.compile(ContractParser.parse("customers", """
        apiVersion: v3.1.0
        kind: DataContract
        id: crm.customers
        version: 1.0.0
        status: active
        domain: crm
        schema:
          - name: customers
            properties:
              - {name: id, logicalType: string, primaryKey: true, required: true}
              - name: details
                logicalType: object
                logicalTypeOptions: {required: [num_children], maxProperties: 2}
              - name: address
                logicalType: object
                logicalTypeOptions: {required: [city], minProperties: 2}
                properties:
                  - {name: city, logicalType: string}
                  - {name: zip, logicalType: string}
        """));
    assertTrue(customers.validate(("{\"id\":\"c1\",\"details\":{\"num_children\":null},"
        + "\"address\":{\"city\":\"Cebu\",\"zip\":\"6000\"}}").getBytes(StandardCharsets.UTF_8), NOW)
        instanceof Outcome.Accepted, "present, even if null, is what required asks");
    Outcome bad = customers.validate(("{\"id\":\"c2\",\"details\":{\"a\":1,\"b\":2,\"c\":3},"
        + "\"address\":{\"zip\":\"6000\"}}").getBytes(StandardCharsets.UTF_8), NOW);
    assertEquals(List.of("required details.num_children", "maxProperties details", "required address.city",
            "minProperties address"),
        ((Outcome.Rejected) bad).errors().stream().map(v -> v.rule() + " " + v.field()).toList());
  }

  @Test
  void aNullItemIsKeptUnlessTheItemsAreRequired() throws Exception {
    String contract = """
        apiVersion: v3.1.0
        kind: DataContract
        id: pay.orders
        version: 1.0.0
        status: active
        domain: pay
        schema:
          - name: orders
            properties:
              - {name: id, logicalType: string, primaryKey: true, required: true}
              - name: lines
                logicalType: array
                items:
                  logicalType: object
                  REQUIRED
                  properties:
                    - {name: sku, logicalType: string, required: true}
        """;
    byte[] event = "{\"id\":\"o1\",\"lines\":[{\"sku\":\"a\"},null]}".getBytes(StandardCharsets.UTF_8);
    RowValidator optional = RowValidator.compile(ContractParser.parse("o", contract.replace("REQUIRED", "description: a line")));
    assertTrue(optional.validate(event, NOW) instanceof Outcome.Accepted);
    RowValidator required = RowValidator.compile(ContractParser.parse("o", contract.replace("REQUIRED",
        "required: true")));
    List<Violation> errors = ((Outcome.Rejected) required.validate(event, NOW)).errors();
    assertEquals(List.of("required lines[1]"), errors.stream().map(v -> v.rule() + " " + v.field()).toList());
  }

  @Test
  void anInvalidValuesRuleSaysWhetherTheListOrThePatternRefusedTheValue() throws Exception {
    RowValidator v = RowValidator.compile(ContractParser.parse("devices", """
        apiVersion: v3.1.0
        kind: DataContract
        id: iot.devices
        version: 1.0.0
        status: active
        schema:
          - name: devices
            properties:
              - {name: id, logicalType: string, primaryKey: true, required: true}
              - name: firmware
                logicalType: string
                quality:
                  - {name: firmware_semver, metric: invalidValues, arguments: {pattern: '^[0-9]+\\.[0-9]+$'},
                     mustBe: 0}
              - name: kind
                logicalType: string
                quality:
                  - {name: kind_known, metric: invalidValues, arguments: {validValues: [meter, valve]}, mustBe: 0}
        """));
    Outcome.Rejected rejected = assertInstanceOf(Outcome.Rejected.class, v.validate(
        "{\"id\":\"a\",\"firmware\":\"v1\",\"kind\":\"pump\"}".getBytes(StandardCharsets.UTF_8), NOW));
    assertEquals(List.of("firmware_semver: 'v1' does not match ^[0-9]+\\.[0-9]+$",
        "kind_known: 'pump' is not one of the valid values [meter, valve]"), rejected.errors().stream()
        .map(e -> e.rule() + ": " + e.message()).toList());
    // the rule's pattern reads $ as ECMA-262 does: a version with a line break after it is refused too
    assertInstanceOf(Outcome.Accepted.class, v.validate("{\"id\":\"a\",\"firmware\":\"1.2\"}"
        .getBytes(StandardCharsets.UTF_8), NOW));
    Outcome.Rejected newline = assertInstanceOf(Outcome.Rejected.class, v.validate(
        "{\"id\":\"a\",\"firmware\":\"1.2\\n\"}".getBytes(StandardCharsets.UTF_8), NOW));
    assertEquals(List.of("firmware_semver"), newline.errors().stream().map(Violation::rule).toList());
  }

  @Test
  void aCelRuleOnAPropertyOfArrayItemsJudgesTheRowAndIsNamedByTheArraysPath() throws Exception {
    Contract trips = ContractParser.parse("trips", """
        apiVersion: v3.1.0
        kind: DataContract
        id: ops.trips
        version: 1.0.0
        status: active
        schema:
          - name: trips
            properties:
              - {name: id, logicalType: string, primaryKey: true, required: true}
              - name: legs
                logicalType: array
                items:
                  name: leg
                  logicalType: object
                  properties:
                    - name: memo
                      logicalType: string
                      quality:
                        - {name: short_memos, type: custom, engine: cel,
                           implementation: 'legs.all(l, !has(l.memo) || size(l.memo) < 4)'}
        """);
    assertEquals(List.of("legs[].memo"), trips.locatedRules().stream().map(r -> r.rule().field()).toList());
    RowValidator v = RowValidator.compile(trips);
    assertInstanceOf(Outcome.Accepted.class, v.validate(
        "{\"id\":\"a1\",\"legs\":[{\"memo\":\"ok\"},{}]}".getBytes(StandardCharsets.UTF_8), NOW));
    Outcome.Rejected rejected = assertInstanceOf(Outcome.Rejected.class, v.validate(
        "{\"id\":\"a2\",\"legs\":[{\"memo\":\"toolong\"}]}".getBytes(StandardCharsets.UTF_8), NOW));
    assertEquals(List.of("short_memos@legs[].memo"), rejected.errors().stream()
        .map(e -> e.rule() + "@" + e.field()).toList());
  }

  @Test
  void aMissingRuleInsideAnAbsentObjectCountsTheRow() throws Exception {
    RowValidator v = RowValidator.compile(ContractParser.parse("readings", """
        apiVersion: v3.1.0
        kind: DataContract
        id: sensors.readings
        version: 1.0.0
        status: active
        schema:
          - name: readings
            properties:
              - {name: id, logicalType: string, primaryKey: true, required: true}
              - name: location
                logicalType: object
                properties:
                  - name: geo
                    logicalType: object
                    properties:
                      - name: lat
                        logicalType: number
                        quality:
                          - {name: lat_mostly_known, metric: nullValues, mustBeLessThan: 50, unit: percent}
                          - {name: lat_always, metric: nullValues, mustBe: 0, severity: warning}
        """));
    // as a column reads it, location.geo.lat is null when location (or geo) is absent: the rules count that row
    for (String event : List.of("{\"id\":\"a\"}", "{\"id\":\"a\",\"location\":null}",
        "{\"id\":\"a\",\"location\":{}}", "{\"id\":\"a\",\"location\":{\"geo\":{}}}")) {
      Outcome o = v.validate(event.getBytes(StandardCharsets.UTF_8), NOW);
      Outcome.Accepted accepted = assertInstanceOf(Outcome.Accepted.class, o, event + ": " + o);
      assertEquals(List.of("lat_mostly_known", "lat_always"), accepted.warnings().stream().map(Violation::rule)
          .toList(), event + ": " + accepted.warnings());
      assertTrue(accepted.warnings().stream().allMatch(w -> w.field().equals("location.geo.lat") && w.message().startsWith("is missing")
          && w.code().equals("null_value")), event + ": " + accepted.warnings());
    }
    Outcome known = v.validate("{\"id\":\"a\",\"location\":{\"geo\":{\"lat\":14.6}}}"
        .getBytes(StandardCharsets.UTF_8), NOW);
    assertEquals(List.of(), assertInstanceOf(Outcome.Accepted.class, known).warnings());
  }

  @Test
  void aMissingRuleOfARequiredPropertyIsNamedBesideRequired() throws Exception {
    RowValidator devices = RowValidator.compile(ContractParser.parse("devices", """
        apiVersion: v3.1.0
        kind: DataContract
        id: iot.devices
        version: 1.0.0
        status: active
        domain: iot
        schema:
          - name: devices
            properties:
              - name: device_id
                logicalType: string
                required: true
                primaryKey: true
                quality:
                  - {name: device_id_present, metric: missingValues, mustBe: 0}
        """));
    Outcome blank = devices.validate("{\"device_id\":\"  \"}".getBytes(StandardCharsets.UTF_8), NOW);
    assertEquals(List.of(new Violation("required", "device_id", "required", "is required"),
            new Violation("missing_value", "device_id", "device_id_present", "is missing")),
        ((Outcome.Rejected) blank).errors());
  }

  @Test
  void aRuleOverAMissingNestedValueFailsNamingItsPath() throws Exception {
    RowValidator shipments = RowValidator.compile(ContractParser.parse("shipments", """
        apiVersion: v3.1.0
        kind: DataContract
        id: log.shipments
        version: 1.0.0
        status: active
        domain: log
        schema:
          - name: shipments
            properties:
              - {name: id, logicalType: string, primaryKey: true, required: true}
              - name: geo
                logicalType: object
                properties: [{name: lat, logicalType: number}]
              - name: items
                logicalType: array
                items: {logicalType: object, properties: [{name: tag, logicalType: string}]}
            quality:
              - {name: on_map, type: custom, engine: cel, implementation: 'geo.lat != 0.0'}
              - {name: no_bad_tag, type: custom, engine: cel, implementation: 'items.all(i, i.tag != "bad")'}
        """));
    Outcome outcome = shipments.validate("{\"id\":\"s1\",\"items\":[{\"tag\":\"ok\"},{}]}"
        .getBytes(StandardCharsets.UTF_8), NOW);
    List<Violation> errors = ((Outcome.Rejected) outcome).errors();
    assertEquals(List.of(
            new Violation("rule", "geo", "on_map", "fails geo.lat != 0.0 (geo absent)"),
            new Violation("rule", "items", "no_bad_tag", "fails items.all(i, i.tag != \"bad\") (items[1].tag absent)")),
        errors);
  }

  @Test
  void aNumberTooWideForItsColumnNamesTheKeyThatSetTheWidth() throws Exception {
    RowValidator v = RowValidator.compile(ContractParser.parse("widths", """
        apiVersion: v3.1.0
        kind: DataContract
        id: pay.widths
        version: 1.0.0
        status: active
        schema:
          - name: widths
            properties:
              - {name: id, logicalType: string, primaryKey: true, required: true}
              - {name: plain, logicalType: integer}
              - {name: small, logicalType: integer, logicalTypeOptions: {format: i16}}
              - {name: big, logicalType: integer, physicalType: int}
              - {name: score, logicalType: number}
              - {name: ratio, logicalType: number, logicalTypeOptions: {format: f32}}
              - {name: label_int, logicalType: integer, physicalType: 'varchar(10)'}
              - {name: oracle_seconds, logicalType: integer, physicalType: NUMBER(10)}
              - {name: oracle_small, logicalType: integer, physicalType: NUMBER(9)}
        """));
    java.util.function.Function<String, List<String>> rules = json -> ((Outcome.Rejected) v.validate(
        json.getBytes(StandardCharsets.UTF_8), NOW)).errors().stream().map(e -> e.rule() + ":" + e.field()).toList();
    assertEquals(List.of("format:small"), rules.apply("{\"id\":\"a\",\"small\":40000}"));
    assertEquals(List.of("physicalType:big"), rules.apply("{\"id\":\"a\",\"big\":1099511627776}"));
    assertEquals(List.of("logicalType:score"), rules.apply("{\"id\":\"a\",\"score\":1e400}"));
    assertEquals(List.of("format:ratio"), rules.apply("{\"id\":\"a\",\"ratio\":1e39}"));
    // a physicalType that sets no width leaves the integer an int, as its logicalType makes it
    assertEquals(List.of("logicalType:label_int"), rules.apply("{\"id\":\"a\",\"label_int\":1099511627776}"));
    // an integer without format or physicalType is an int: its logicalType set the width
    assertEquals(List.of("logicalType:plain"), rules.apply("{\"id\":\"a\",\"plain\":1099511627776}"));
    // NUMBER(p) of scale 0 is a whole number of p digits: ten or more do not fit an int, so it is a long
    assertInstanceOf(Outcome.Accepted.class, v.validate("{\"id\":\"a\",\"oracle_seconds\":9999999999}"
        .getBytes(StandardCharsets.UTF_8), NOW));
    assertEquals(List.of("physicalType:oracle_small"), rules.apply("{\"id\":\"a\",\"oracle_small\":3000000000}"));
  }

  @Test
  void aDecimalTheColumnCannotHoldIsStillJudgedAgainstItsBounds() throws Exception {
    RowValidator v = RowValidator.compile(ContractParser.parse("temps", """
        apiVersion: v3.1.0
        kind: DataContract
        id: cold.temps
        version: 1.0.0
        status: active
        schema:
          - name: temps
            properties:
              - {name: id, logicalType: string, primaryKey: true, required: true}
              - name: celsius
                logicalType: number
                physicalType: decimal(5,2)
                logicalTypeOptions: {minimum: -40, maximum: 60, multipleOf: 0.05}
        """));
    java.util.function.Function<String, List<String>> findings = value -> ((Outcome.Rejected) v.validate(
        ("{\"id\":\"a\",\"celsius\":" + value + "}").getBytes(StandardCharsets.UTF_8), NOW)).errors().stream()
        .map(e -> e.code() + ":" + e.rule()).toList();
    assertEquals(List.of("scale:physicalType", "maximum:maximum"), findings.apply("60.001"));
    assertEquals(List.of("scale:physicalType", "maximum:maximum"), findings.apply("999.999"));
    assertEquals(List.of("range:physicalType", "minimum:minimum"), findings.apply("-12345"));
    assertEquals(List.of("scale:physicalType"), findings.apply("59.999"), "within its bounds: the scale alone");
    // multipleOf is not judged on such a value: its remainder would take minutes for a 20-byte number
    org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(20), () -> {
      assertEquals(List.of("range:physicalType", "maximum:maximum"), findings.apply("1.5E+1000000"));
      assertEquals(List.of("range:physicalType", "maximum:maximum"), findings.apply("1E+999999999"));
      assertEquals(List.of("scale:physicalType"), findings.apply("1.5E-1000000"));
      assertEquals(List.of("range:physicalType", "minimum:minimum"), findings.apply("-1.5E+1000000"));
    });
    assertEquals(List.of("multiple_of:multipleOf"), findings.apply("10.01"));
  }

  @Test
  void aCharacterPhysicalTypeLimitsTheLengthAsMaxLengthWould() throws Exception {
    RowValidator v = RowValidator.compile(ContractParser.parse("lengths", """
        apiVersion: v3.1.0
        kind: DataContract
        id: pay.lengths
        version: 1.0.0
        status: active
        schema:
          - name: lengths
            properties:
              - {name: id, physicalType: varchar(36), primaryKey: true, required: true}
              - {name: code, logicalType: string, physicalType: CHAR(2)}
              - {name: note, logicalType: string, physicalType: 'varchar2(5 char)'}
              - {name: wide, logicalType: string, physicalType: varchar(2), logicalTypeOptions: {maxLength: 4}}
              - {name: free, logicalType: string, physicalType: varchar(max)}
              - {name: pg, logicalType: string, physicalType: character varying(3)}
              - {name: bracketed, logicalType: string, physicalType: 'varchar[3]'}
        """));
    java.util.function.Function<String, Outcome> validate = json -> v.validate(json.getBytes(StandardCharsets.UTF_8),
        NOW);
    assertInstanceOf(Outcome.Accepted.class, validate.apply(
        "{\"id\":\"a\",\"code\":\"PH\",\"note\":\"héllo\",\"wide\":\"abcd\",\"free\":\"" + "x".repeat(9000)
            + "\",\"pg\":\"abc\",\"bracketed\":\"abc\"}"));
    Outcome.Rejected rejected = assertInstanceOf(Outcome.Rejected.class, validate.apply(
        "{\"id\":\"" + "k".repeat(37) + "\",\"code\":\"PHL\",\"note\":\"hello!\",\"wide\":\"abcde\",\"pg\":\"abcd\","
            + "\"bracketed\":\"abcd\"}"));
    assertEquals(List.of("maxLength:id", "maxLength:code", "maxLength:note", "maxLength:wide", "maxLength:pg",
            "maxLength:bracketed"),
        rejected.errors().stream().map(e -> e.rule() + ":" + e.field()).toList());
    // a limit the author did not write as maxLength names where it comes from; one written does not
    assertTrue(rejected.errors().get(1).message().endsWith("3 characters, longer than 2 (physicalType CHAR(2))"),
        rejected.errors().get(1).message());
    assertTrue(rejected.errors().get(3).message().endsWith("5 characters, longer than 4"),
        rejected.errors().get(3).message());
  }

  @Test
  void aTimeOfDayIsCutToMicrosecondsAsItIsStored() throws Exception {
    RowValidator v = RowValidator.compile(ContractParser.parse("times", """
        apiVersion: v3.1.0
        kind: DataContract
        id: pay.times
        version: 1.0.0
        status: active
        schema:
          - name: times
            properties:
              - {name: id, logicalType: string, primaryKey: true, required: true}
              - {name: at, logicalType: time}
        """));
    for (String text : new String[] {"10:15:00.123456789", "10:15:00.123456"}) {
      Outcome o = v.validate(("{\"id\":\"a\",\"at\":\"" + text + "\"}").getBytes(StandardCharsets.UTF_8), NOW);
      GenericRecord row = assertInstanceOf(Outcome.Accepted.class, o, o::toString).row();
      assertEquals(java.time.LocalTime.of(10, 15, 0, 123_456_000), row.getField("at"), text);
    }
  }

  @Test
  void acceptsAValidSaleAsATypedRow() {
    Outcome outcome = validator.validate(VALID.getBytes(StandardCharsets.UTF_8), NOW);
    Outcome.Accepted accepted = assertInstanceOf(Outcome.Accepted.class, outcome, () -> outcome.toString());
    GenericRecord row = accepted.row();
    assertEquals("T-1", row.getField("transaction_id"));
    assertEquals(new BigDecimal("45.75"), row.getField("total_amount"));
    List<?> items = (List<?>) row.getField("items");
    assertEquals(2, items.size());
    assertEquals(2, ((Record) items.get(0)).getField("qty"));
    assertEquals(new BigDecimal("30.50"), ((Record) items.get(0)).getField("line_amount"));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "wrong total      | \"total_amount\":45.75 | \"total_amount\":50.00 | rule | items,total_amount | lines_sum_to_total",
      "bad store        | \"S-0042\"             | \"S-42\"              | pattern | store_id | pattern",
      // ODCS patterns are ECMA-262's: $ is the end of the value, not also before a final line break as in Java
      "store + newline  | \"S-0042\"             | \"S-0042\\n\"           | pattern | store_id | pattern",
      "store + CRLF     | \"S-0042\"             | \"S-0042\\r\\n\"         | pattern | store_id | pattern",
      "store + LS       | \"S-0042\"             | \"S-0042\\u2028\"       | pattern | store_id | pattern",
      "unknown region   | \"NCR\"                | \"Atlantis\"          | invalid_value | region | region_valid",
      "future ts        | 2026-11-25T09:59:00Z   | 2026-11-25T11:00:00Z  | rule | ts | ts_not_in_future",
      "bad payment      | \"gcash\"              | \"bitcoin\"           | invalid_value | payment_method | payment_method_valid",
      "zero qty         | \"qty\":2              | \"qty\":0             | minimum | items[0].qty | exclusiveMinimum",
      "string amount    | \"total_amount\":45.75 | \"total_amount\":\"45.75\" | type | total_amount | logicalType",
      "too many places  | \"total_amount\":45.75 | \"total_amount\":45.755 | scale | total_amount | physicalType",
      "line mismatch    | \"unit_price\":15.25,\"line_amount\":15.25 | \"unit_price\":15.25,\"line_amount\":15.35 | rule | items,total_amount | lines_sum_to_total",
      "no id            | \"transaction_id\":\"T-1\", | '' | required | transaction_id | required",
  })
  void rejectsWithAMachineReadableReason(String name, String from, String to, String code, String field,
      String rule) {
    String event = VALID.replace(from, to);
    Outcome outcome = validator.validate(event.getBytes(StandardCharsets.UTF_8), NOW);
    Outcome.Rejected rejected = assertInstanceOf(Outcome.Rejected.class, outcome, () -> name + ": " + outcome);
    Violation first = rejected.errors().get(0);
    assertEquals(code, first.code(), rejected.errors().toString());
    assertEquals(field == null ? "" : field, first.field());
    assertEquals(rule, first.rule());
  }

  @Test
  void everyFailedPropertyCheckIsAReasonAndRowRulesWaitForThemToPass() {
    // a bad store, an unknown region and a total that does not match its lines: the property checks are the
    // reasons; the CEL total rule needs a typed row and is judged once they pass
    String event = VALID.replace("\"S-0042\"", "\"S-42\"").replace("\"NCR\"", "\"Atlantis\"")
        .replace("\"total_amount\":45.75", "\"total_amount\":50.00");
    Outcome.Rejected rejected = assertInstanceOf(Outcome.Rejected.class,
        validator.validate(event.getBytes(StandardCharsets.UTF_8), NOW));
    assertEquals(List.of("pattern:store_id", "invalid_value:region"), rejected.errors().stream()
        .map(v -> v.code() + ":" + v.field()).toList());
  }

  @Test
  void textThatIsNotUnicodeIsRejectedAndPairedSurrogatesAreNot() {
    // a lone high surrogate, written as a JSON escape
    String lone = VALID.replace("\"Pancit Canton\"", "\"Pancit\\ud800Canton\"");
    Outcome outcome = validator.validate(lone.getBytes(StandardCharsets.UTF_8), NOW);
    Outcome.Rejected rejected = assertInstanceOf(Outcome.Rejected.class, outcome, outcome::toString);
    assertEquals("encoding", rejected.errors().get(0).code(), rejected.errors().toString());
    assertEquals("items[0].product_name", rejected.errors().get(0).field());
    // a pair (an emoji) is fine, escaped or not
    for (String name : new String[] {"\"Pancit \\ud83d\\ude00\"", "\"Pancit \uD83D\uDE00\""}) {
      String paired = VALID.replace("\"Pancit Canton\"", name);
      assertInstanceOf(Outcome.Accepted.class, validator.validate(paired.getBytes(StandardCharsets.UTF_8), NOW),
          name);
    }
  }

  @Test
  void aLineAmountThatIsNotQtyTimesPriceIsRejected() {
    String event = VALID.replace("\"unit_price\":15.25,\"line_amount\":15.25",
        "\"unit_price\":15.25,\"line_amount\":15.35").replace("\"total_amount\":45.75", "\"total_amount\":45.85");
    Outcome outcome = validator.validate(event.getBytes(StandardCharsets.UTF_8), NOW);
    Outcome.Rejected rejected = assertInstanceOf(Outcome.Rejected.class, outcome, outcome::toString);
    assertEquals(List.of("line_amounts_match"), rejected.errors().stream().map(Violation::rule).toList());
  }

  @Test
  void emptyBasketIsRejected() {
    String event = VALID.replaceAll("(?s)\"items\":\\[.*]", "\"items\":[]").replace("45.75", "0");
    Outcome outcome = validator.validate(event.getBytes(StandardCharsets.UTF_8), NOW);
    Outcome.Rejected rejected = assertInstanceOf(Outcome.Rejected.class, outcome, outcome::toString);
    assertTrue(rejected.errors().stream().anyMatch(v -> v.code().equals("min_items")), rejected.toString());
  }

  @Test
  void malformedJsonIsRejectedNotThrown() {
    Outcome outcome = validator.validate("{\"transaction_id\": ".getBytes(StandardCharsets.UTF_8), NOW);
    Outcome.Rejected rejected = assertInstanceOf(Outcome.Rejected.class, outcome);
    assertEquals("malformed_json", rejected.errors().get(0).code());
  }

  @Test
  void whatIsNoEventSaysWhatItIs() {
    java.util.function.Function<byte[], Violation> reason = bytes -> assertInstanceOf(Outcome.Rejected.class,
        validator.validate(bytes, NOW)).errors().get(0);
    Violation utf16 = reason.apply(VALID.getBytes(StandardCharsets.UTF_16LE));
    assertEquals("encoding", utf16.code(), utf16.toString());
    assertEquals("encoding", reason.apply(VALID.getBytes(StandardCharsets.UTF_16)).code(), "with a byte order mark");
    Violation latin1 = reason.apply(VALID.replace("\"S-0042\"", "\"S-0042é\"").getBytes(StandardCharsets.ISO_8859_1));
    assertEquals("encoding", latin1.code(), latin1.toString());
    // bytes Jackson would read as characters, though they are no UTF-8: an overlong '/', an encoded surrogate, a
    // code point beyond U+10FFFF (an event produced to the raw topic directly; ingest refuses such bodies)
    for (byte[] bad : new byte[][] {{(byte) 0xC0, (byte) 0xAF}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
        {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}}) {
      byte[] event = VALID.replace("\"S-0042\"", "\"S-0042@\"").getBytes(StandardCharsets.UTF_8);
      int at = VALID.indexOf("\"S-0042\"") + 7;
      byte[] spliced = new byte[event.length - 1 + bad.length];
      System.arraycopy(event, 0, spliced, 0, at);
      System.arraycopy(bad, 0, spliced, at, bad.length);
      System.arraycopy(event, at + 1, spliced, at + bad.length, event.length - at - 1);
      Violation notUtf8 = reason.apply(spliced);
      assertEquals("encoding", notUtf8.code(), notUtf8.toString());
      assertTrue(notUtf8.message().startsWith("the event is not valid UTF-8: byte " + at + " (0x"), notUtf8.message());
    }
    assertInstanceOf(Outcome.Accepted.class, validator.validate(VALID.replace("Pancit Canton", "Pancit Cantón \u20ac")
        .getBytes(StandardCharsets.UTF_8), NOW), "well-formed multi-byte text");
    Violation array = reason.apply(("[" + VALID + "]").getBytes(StandardCharsets.UTF_8));
    assertTrue(array.message().contains("not an array"), array.toString());
    assertTrue(reason.apply(new byte[0]).message().startsWith("the event is empty"));
    Violation ndjson = reason.apply((VALID.replace("\n", "") + "\n" + VALID.replace("\n", "")).getBytes(StandardCharsets.UTF_8));
    assertEquals("malformed_json", ndjson.code());
    assertTrue(ndjson.message().startsWith("more than one JSON value in one event"), ndjson.message());
    // Jackson's advice to its own users is left out
    Violation nan = reason.apply("{\"transaction_id\": NaN}".getBytes(StandardCharsets.UTF_8));
    assertEquals("malformed_json", nan.code());
    assertTrue(!nan.message().contains("`") && !nan.message().contains("Source:"), nan.message());
  }

  /** customer_id with a share rule first and a per-row rule second: each must apply, not only the first. */
  private static RowValidator withMissingRules(String rules) throws IOException, InvalidContractException {
    try (InputStream in = RowValidatorTest.class.getResourceAsStream("/contracts/sales.odcs.yaml")) {
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      return RowValidator.compile(ContractParser.parse("sales", text.replace("        tags: [pii]\n",
          "        tags: [pii]\n        quality:\n" + rules)));
    }
  }

  @Test
  void everyNullOrMissingRuleOfAPropertyApplies() throws Exception {
    RowValidator v = withMissingRules("""
                  - {name: customer_mostly_known, metric: nullValues, mustBeLessThan: 10, unit: percent, severity: warning}
                  - {name: customer_not_blank, metric: missingValues, mustBe: 0, severity: error}
        """);
    Outcome absent = v.validate(VALID.replace("\"customer_id\":\"C-1\",", "").getBytes(StandardCharsets.UTF_8), NOW);
    Outcome.Rejected rejected = assertInstanceOf(Outcome.Rejected.class, absent, absent::toString);
    assertEquals(List.of("customer_not_blank"), rejected.errors().stream().map(Violation::rule).toList());
    assertEquals(List.of("customer_mostly_known"), rejected.warnings().stream().map(Violation::rule).toList(),
        "the share rule counts the row too");

    // blank is missing, not null: only the missingValues rule sees it
    Outcome blank = v.validate(VALID.replace("\"C-1\"", "\" \"").getBytes(StandardCharsets.UTF_8), NOW);
    Outcome.Rejected blankRejected = assertInstanceOf(Outcome.Rejected.class, blank, blank::toString);
    assertEquals(List.of("customer_not_blank"), blankRejected.errors().stream().map(Violation::rule).toList());
    assertEquals(List.of(), blankRejected.warnings());

    RowValidator shares = withMissingRules("""
                  - {name: customer_mostly_known, metric: nullValues, mustBeLessThan: 10, unit: percent}
                  - {name: customer_mostly_there, metric: missingValues, mustBeLessThan: 20, unit: percent}
        """);
    Outcome counted = shares.validate(VALID.replace("\"customer_id\":\"C-1\",", "")
        .getBytes(StandardCharsets.UTF_8), NOW);
    Outcome.Accepted accepted = assertInstanceOf(Outcome.Accepted.class, counted, counted::toString);
    assertEquals(List.of("customer_mostly_known", "customer_mostly_there"),
        accepted.warnings().stream().map(Violation::rule).toList(), "share rules keep the row and count it");
  }

  @Test
  void aShareBelowOnePercentIsJudgedOverTheBatchWhileACountBelowOneRefusesTheRow() throws Exception {
    // ODCS's own example, "less than 1 % null values": one null row is a small share of a batch, not a breach
    byte[] withoutCustomer = VALID.replace("\"customer_id\":\"C-1\",", "").getBytes(StandardCharsets.UTF_8);
    for (String share : List.of("mustBeLessThan: 1", "mustBeLessThan: 0.5", "mustBeLessOrEqualTo: 0.1")) {
      RowValidator v = withMissingRules("          - {name: few_nulls, metric: nullValues, " + share
          + ", unit: percent, severity: error}\n");
      Outcome kept = v.validate(withoutCustomer, NOW);
      Outcome.Accepted accepted = assertInstanceOf(Outcome.Accepted.class, kept, share + ": " + kept);
      assertEquals(List.of("few_nulls"), accepted.warnings().stream().map(Violation::rule).toList(), share);
    }
    for (String none : List.of("mustBeLessThan: 1", "mustBe: 0", "mustBeLessOrEqualTo: 0",
        "mustBeLessOrEqualTo: 0.5", "mustBeBetween: [0, 0.5]")) {
      RowValidator v = withMissingRules("          - {name: no_nulls, metric: nullValues, " + none
          + ", severity: error}\n");
      Outcome refused = v.validate(withoutCustomer, NOW);
      assertEquals(List.of("no_nulls"), assertInstanceOf(Outcome.Rejected.class, refused, none + ": " + refused)
          .errors().stream().map(Violation::rule).toList(), none);
    }
    RowValidator zeroShare = withMissingRules(
        "          - {name: no_null_share, metric: nullValues, mustBe: 0, unit: percent}\n");
    assertInstanceOf(Outcome.Rejected.class, zeroShare.validate(withoutCustomer, NOW), "0 % admits no offender");
  }

  @Test
  void uniqueItemsCountsARepeatedNullAsARepeat() throws Exception {
    RowValidator v = RowValidator.compile(ContractParser.parse("tags", """
        apiVersion: v3.1.0
        kind: DataContract
        id: shop.tags
        version: 1.0.0
        status: active
        schema:
          - name: tags
            properties:
              - {name: id, logicalType: string, primaryKey: true, required: true}
              - name: labels
                logicalType: array
                logicalTypeOptions: {uniqueItems: true}
                items: {logicalType: string}
        """));
    Outcome twoNulls = v.validate("{\"id\":\"a\",\"labels\":[\"x\",null,null]}".getBytes(StandardCharsets.UTF_8), NOW);
    Outcome.Rejected rejected = assertInstanceOf(Outcome.Rejected.class, twoNulls, twoNulls::toString);
    assertEquals(List.of("labels[2]: repeats item [1] (null)"), rejected.errors().stream()
        .map(e -> e.field() + ": " + e.message()).toList());
    assertInstanceOf(Outcome.Accepted.class, v.validate("{\"id\":\"b\",\"labels\":[\"x\",null]}"
        .getBytes(StandardCharsets.UTF_8), NOW), "one null is unique");

    // by value, as JSON Schema compares: 1 and 1.0 are one number, also inside objects of an untyped array
    RowValidator numbers = RowValidator.compile(ContractParser.parse("nums", """
        apiVersion: v3.1.0
        kind: DataContract
        id: shop.nums
        version: 1.0.0
        status: active
        schema:
          - name: nums
            properties:
              - {name: id, logicalType: string, primaryKey: true, required: true}
              - {name: n, logicalType: array, logicalTypeOptions: {uniqueItems: true}, items: {logicalType: number}}
              - {name: raw, logicalType: array, logicalTypeOptions: {uniqueItems: true}}
        """));
    for (String event : List.of("{\"id\":\"a\",\"n\":[1,1.0]}", "{\"id\":\"a\",\"n\":[-0.0,0]}",
        "{\"id\":\"a\",\"raw\":[{\"x\":1},{\"x\":1.0}]}")) {
      Outcome o = numbers.validate(event.getBytes(StandardCharsets.UTF_8), NOW);
      assertEquals(List.of("unique_items"), assertInstanceOf(Outcome.Rejected.class, o, event + ": " + o).errors()
          .stream().map(Violation::code).toList(), event);
    }
    Outcome repeatedText = v.validate("{\"id\":\"c\",\"labels\":[\"x\",\"y\",\"x\"]}"
        .getBytes(StandardCharsets.UTF_8), NOW);
    assertEquals(List.of("labels[2]: repeats item [0] (\"x\")"), assertInstanceOf(Outcome.Rejected.class,
        repeatedText, repeatedText::toString).errors().stream().map(e -> e.field() + ": " + e.message()).toList(),
        "the message names the earlier item and the value, so the sender finds it in a long list");
    assertInstanceOf(Outcome.Accepted.class, numbers.validate("{\"id\":\"a\",\"n\":[1,1.5]}"
        .getBytes(StandardCharsets.UTF_8), NOW));
  }

  @Test
  void typeAndBoundMessagesSayWhatCameAsItWasWritten() throws Exception {
    RowValidator v = RowValidator.compile(ContractParser.parse("m", """
        apiVersion: v3.1.0
        kind: DataContract
        id: shop.m
        version: 1.0.0
        status: active
        schema:
          - name: m
            properties:
              - {name: id, logicalType: string, primaryKey: true, required: true}
              - {name: ok, logicalType: boolean}
              - {name: qty, logicalType: number, logicalTypeOptions: {minimum: 0}}
              - {name: ratio, logicalType: number, logicalTypeOptions: {format: f32}}
        """));
    Outcome outcome = v.validate("{\"id\":\"a\",\"ok\":\"true\",\"qty\":-1,\"ratio\":3.5e38}"
        .getBytes(StandardCharsets.UTF_8), NOW);
    assertEquals(List.of("ok: expected a boolean (true or false), got a string 'true'", "qty: -1 is less than 0",
            "ratio: 3.5E+38 does not fit a 32-bit float"),
        assertInstanceOf(Outcome.Rejected.class, outcome, outcome::toString).errors().stream()
            .map(e -> e.field() + ": " + e.message()).toList());
  }

  @Test
  void aMemberNamedByAPropertysPhysicalNameIsKeptWithAWarning() throws Exception {
    RowValidator v = RowValidator.compile(ContractParser.parse("p", """
        apiVersion: v3.1.0
        kind: DataContract
        id: shop.p
        version: 1.0.0
        status: active
        schema:
          - name: p
            properties:
              - {name: id, logicalType: string, primaryKey: true, required: true}
              - {name: transaction_reference_date, physicalName: txn_ref_dt, logicalType: date}
        """));
    Outcome physical = v.validate("{\"id\":\"a\",\"txn_ref_dt\":\"2026-11-25\"}".getBytes(StandardCharsets.UTF_8),
        NOW);
    Outcome.Accepted kept = assertInstanceOf(Outcome.Accepted.class, physical, physical::toString);
    assertEquals(List.of("txn_ref_dt: 'txn_ref_dt' is the physicalName of 'transaction_reference_date'; events name"
        + " members by property name, so its value is not read"), kept.warnings().stream()
        .map(w -> w.field() + ": " + w.message()).toList());
    assertEquals(null, kept.row().getField("transaction_reference_date"));
    Outcome named = v.validate("{\"id\":\"b\",\"transaction_reference_date\":\"2026-11-25\"}"
        .getBytes(StandardCharsets.UTF_8), NOW);
    assertEquals(List.of(), assertInstanceOf(Outcome.Accepted.class, named, named::toString).warnings());
  }
}
