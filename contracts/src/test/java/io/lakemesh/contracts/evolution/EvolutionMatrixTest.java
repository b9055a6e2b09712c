package io.lakemesh.contracts.evolution;

import static io.lakemesh.contracts.evolution.ChangeKind.CLASSIFICATION_CHANGED;
import static io.lakemesh.contracts.evolution.ChangeKind.CONSTRAINT_NARROWED;
import static io.lakemesh.contracts.evolution.ChangeKind.CONSTRAINT_WIDENED;
import static io.lakemesh.contracts.evolution.ChangeKind.DESCRIPTION_CHANGED;
import static io.lakemesh.contracts.evolution.ChangeKind.OBJECT_RENAMED;
import static io.lakemesh.contracts.evolution.ChangeKind.DOMAIN_CHANGED;
import static io.lakemesh.contracts.evolution.ChangeKind.ENUM_NARROWED;
import static io.lakemesh.contracts.evolution.ChangeKind.ENUM_WIDENED;
import static io.lakemesh.contracts.evolution.ChangeKind.FIELD_ADDED;
import static io.lakemesh.contracts.evolution.ChangeKind.FIELD_REMOVED;
import static io.lakemesh.contracts.evolution.ChangeKind.KAFKA_PARTITIONS_CHANGED;
import static io.lakemesh.contracts.evolution.ChangeKind.MASK_CHANGED;
import static io.lakemesh.contracts.evolution.ChangeKind.ROLE_ACCESS_CHANGED;
import static io.lakemesh.contracts.evolution.ChangeKind.ROLE_ADDED;
import static io.lakemesh.contracts.evolution.ChangeKind.ROLE_REMOVED;
import static io.lakemesh.contracts.evolution.ChangeKind.ROW_FILTER_CHANGED;
import static io.lakemesh.contracts.evolution.ChangeKind.MADE_OPTIONAL;
import static io.lakemesh.contracts.evolution.ChangeKind.MADE_REQUIRED;
import static io.lakemesh.contracts.evolution.ChangeKind.PARTITIONING_CHANGED;
import static io.lakemesh.contracts.evolution.ChangeKind.PRIMARY_KEY_CHANGED;
import static io.lakemesh.contracts.evolution.ChangeKind.PRODUCT_ID_CHANGED;
import static io.lakemesh.contracts.evolution.ChangeKind.RULE_ADDED;
import static io.lakemesh.contracts.evolution.ChangeKind.RULE_CHANGED;
import static io.lakemesh.contracts.evolution.ChangeKind.STAGE_CHANGED;
import static io.lakemesh.contracts.evolution.ChangeKind.TAGS_CHANGED;
import static io.lakemesh.contracts.evolution.ChangeKind.TRANSFORM_CHANGED;
import static io.lakemesh.contracts.evolution.ChangeKind.TYPE_CHANGED;
import static io.lakemesh.contracts.evolution.ChangeKind.TYPE_PROMOTED;
import static io.lakemesh.contracts.evolution.ChangeKind.UPSTREAM_CHANGED;
import static io.lakemesh.contracts.evolution.Verdict.BREAKING;
import static io.lakemesh.contracts.evolution.Verdict.COMPATIBLE;
import static io.lakemesh.contracts.evolution.Verdict.NEW_MAJOR;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.lakemesh.contracts.ContractParser;
import io.lakemesh.contracts.InvalidContractException;
import io.lakemesh.contracts.model.Contract;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The evolution matrix: each kind of change, on the same major version and under a major bump, with the verdict
 * it must get. Proposed contracts are text edits of the retail transactions contract ({@code T}) or of a small
 * gold product with nested objects, arrays and several numeric types ({@code O}).
 */
class EvolutionMatrixTest {

  /** The retail transactions contract, version 1.0.0. */
  private static final String CUSTOMER_ID = "      - name: customer_id\n        logicalType: string\n";
  static final Base T = new Base("contracts/sales.odcs.yaml", "version: 1.0.0");
  /** A gold product with objects, arrays, int/long/float columns and a two-column key, version 1.3.0. */
  static final Base O = new Base("contracts/evolution/orders.odcs.yaml", "version: 1.3.0");
  /** A source product with row filters and masks, version 1.2.0. */
  static final Base P = new Base("contracts/evolution/accounts.odcs.yaml", "version: 1.2.0");

  record Base(String resource, String versionLine, UnaryOperator<String> setup) {
    Base(String resource, String versionLine) {
      this(resource, versionLine, UnaryOperator.identity());
    }

    String text() {
      try (InputStream in = EvolutionMatrixTest.class.getResourceAsStream("/" + resource)) {
        return setup.apply(new String(in.readAllBytes(), StandardCharsets.UTF_8));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    /** This base with an edit made before the comparison: the running version has it too. */
    Base with(UnaryOperator<String> edit) {
      return new Base(resource, versionLine, s -> edit.apply(setup.apply(s)));
    }
  }

  /** T with a critical SQL batch rule whose threshold is {@code mustBeLessThan: 10}. */
  static final Base T_CRITICAL_SQL = T.with(before("      - name: lines_sum_to_total\n",
      "      - name: few_refunds\n        type: sql\n        query: SELECT COUNT(*) FROM ${object} WHERE"
          + " total_amount < 0\n        mustBeLessThan: 10\n        severity: critical\n"));

  /** T with a critical share rule on customer_id: {@code mustBeLessThan: 50} percent null. */
  static final Base T_CRITICAL_SHARE = T.with(after("        tags: [pii]\n",
      "        quality:\n          - name: customer_mostly_known\n            metric: nullValues\n"
          + "            mustBeLessThan: 50\n            unit: percent\n            severity: critical\n"));

  /** T with a critical share rule on customer_id's values: less than 10 percent outside [C1, C2, C3]. */
  static final Base T_CRITICAL_ENUM_SHARE = T.with(after("        tags: [pii]\n",
      "        quality:\n          - name: customer_tier_known\n            metric: invalidValues\n"
          + "            arguments:\n              validValues: [C1, C2, C3]\n"
          + "            mustBeLessThan: 10\n            unit: percent\n            severity: critical\n"));

  /** T with a warning on customer_id's missing values, '' and 'N/A' counting as missing. */
  static final Base T_MISSING = T.with(after("        tags: [pii]\n",
      "        quality:\n          - name: customer_known\n            metric: missingValues\n"
          + "            arguments:\n              missingValues: ['', 'N/A']\n"
          + "            mustBeLessThan: 50\n            unit: percent\n            severity: warning\n"));

  /** One row of the matrix: an edit, the verdicts on the same and on a new major, and the change it shows. */
  record Case(String name, Base base, UnaryOperator<String> edit, Verdict sameMajor, Verdict newMajor,
      ChangeKind kind, String path) {
    @Override
    public String toString() {
      return name + " -> " + sameMajor + " / " + newMajor;
    }
  }

  static Stream<Case> matrix() {
    String channel = "      - name: channel\n        logicalType: string\n        required: %s\n";
    String discount = "            - name: discount\n              logicalType: number\n"
        + "              physicalType: decimal(12,2)\n              required: %s\n";
    String email = "          - name: email\n            logicalType: string\n            required: %s\n";
    String customerId = "      - name: customer_id\n        logicalType: string\n        required: false\n"
        + "        classification: restricted\n        description: Loyalty customer, when known. Personal data.\n"
        + "        tags: [pii]\n";
    String storeId = "      - name: store_id\n        logicalType: string\n        required: true\n";
    String brand = "            - name: brand\n              logicalType: string\n              required: true\n";
    String paymentRule = "        quality:\n          - name: payment_method_valid\n            type: library\n"
        + "            metric: invalidValues\n            arguments:\n"
        + "              validValues: [cash, gcash, maya, card, credit]\n            mustBe: 0\n"
        + "            severity: error\n";
    return Stream.of(
        // ---- compatible on the same major
        new Case("no change", T, s -> s, COMPATIBLE, NEW_MAJOR, null, null),
        new Case("add optional field", T, after("        tags: [pii]\n", channel.formatted(false)),
            COMPATIBLE, NEW_MAJOR, FIELD_ADDED, "channel"),
        new Case("add optional field to array items", T,
            before("            - name: line_amount\n", discount.formatted(false)),
            COMPATIBLE, NEW_MAJOR, FIELD_ADDED, "items[].discount"),
        new Case("add optional field to object", O,
            after("          - name: tier\n            logicalType: string\n            required: false\n",
                email.formatted(false)),
            COMPATIBLE, NEW_MAJOR, FIELD_ADDED, "customer.email"),
        new Case("add optional object with required fields", O,
            before("      - name: labels\n", "      - name: shipping\n        logicalType: object\n"
                + "        required: false\n        properties:\n          - name: city\n"
                + "            logicalType: string\n            required: true\n"),
            COMPATIBLE, NEW_MAJOR, FIELD_ADDED, "shipping"),
        new Case("promote int to long", O,
            replace("physicalType: int\n        required: true\n        logicalTypeOptions",
                "physicalType: bigint\n        required: true\n        logicalTypeOptions"),
            COMPATIBLE, NEW_MAJOR, TYPE_PROMOTED, "quantity"),
        new Case("promote nested int to long", T,
            after("            - name: qty\n              logicalType: integer\n",
                "              physicalType: bigint\n"),
            COMPATIBLE, NEW_MAJOR, TYPE_PROMOTED, "items[].qty"),
        new Case("promote real (32-bit) to double", O, replace("physicalType: real", "physicalType: double"),
            COMPATIBLE, NEW_MAJOR, TYPE_PROMOTED, "weight_kg"),
        new Case("widen decimal precision, same scale", T,
            replace("decimal(12,2)\n        required: true\n        description: Amount paid",
                "decimal(16,2)\n        required: true\n        description: Amount paid"),
            COMPATIBLE, NEW_MAJOR, TYPE_PROMOTED, "total_amount"),
        new Case("required to optional", T, replace(storeId, storeId.replace("true", "false")),
            COMPATIBLE, NEW_MAJOR, MADE_OPTIONAL, "store_id"),
        new Case("nested required to optional", T, replace(brand, brand.replace("true", "false")),
            COMPATIBLE, NEW_MAJOR, MADE_OPTIONAL, "items[].brand"),
        new Case("widen enum", T, replace("card, credit]", "card, credit, shopeepay]"),
            COMPATIBLE, NEW_MAJOR, ENUM_WIDENED, "payment_method"),
        new Case("drop enum", T, replace(paymentRule, ""),
            COMPATIBLE, NEW_MAJOR, ENUM_WIDENED, "payment_method"),
        new Case("lower a minimum", T, replace("          minimum: 0\n      - name: items",
                "          minimum: -100\n      - name: items"),
            COMPATIBLE, NEW_MAJOR, CONSTRAINT_WIDENED, "total_amount"),
        new Case("raise a maximum", O, replace("maximum: 1000", "maximum: 5000"),
            COMPATIBLE, NEW_MAJOR, CONSTRAINT_WIDENED, "quantity"),
        new Case("exclusive bound to inclusive", T, replace("exclusiveMinimum: 0", "minimum: 0"),
            COMPATIBLE, NEW_MAJOR, CONSTRAINT_WIDENED, "items[].qty"),
        new Case("raise maxLength", T, replace("maxLength: 64", "maxLength: 128"),
            COMPATIBLE, NEW_MAJOR, CONSTRAINT_WIDENED, "transaction_id"),
        new Case("drop a pattern", T, replace("        logicalTypeOptions:\n          pattern: '^S-[0-9]{4}$'\n", ""),
            COMPATIBLE, NEW_MAJOR, CONSTRAINT_WIDENED, "store_id"),
        new Case("field description", T, replace("Amount paid, PHP.", "Amount paid in PHP, VAT included."),
            COMPATIBLE, NEW_MAJOR, DESCRIPTION_CHANGED, "total_amount"),
        new Case("product description", T, replace("purpose: One sale", "purpose: Exactly one sale"),
            COMPATIBLE, NEW_MAJOR, DESCRIPTION_CHANGED, "/description"),
        new Case("schema object renamed under the same id", T,
            replace("  - name: transactions\n    physicalName: transactions", "  - name: sales\n    physicalName: transactions"),
            COMPATIBLE, NEW_MAJOR, OBJECT_RENAMED, "/schema/0/name"),
        new Case("schema object's physical name", T, replace("physicalName: transactions", "physicalName: pos_sales"),
            COMPATIBLE, NEW_MAJOR, OBJECT_RENAMED, "/schema/0/physicalName"),
        new Case("product tags", T, replace("tags: [retail, pos, sales]", "tags: [retail, pos]"),
            COMPATIBLE, NEW_MAJOR, TAGS_CHANGED, "/tags"),
        new Case("field tags", T, replace("tags: [pii]", "tags: [pii, loyalty]"),
            COMPATIBLE, NEW_MAJOR, TAGS_CHANGED, "customer_id"),
        new Case("quality rule text", T, replace("not counted twice", "never counted twice"),
            COMPATIBLE, NEW_MAJOR, RULE_CHANGED, "/schema/0/quality"),
        new Case("classification", T, replace("classification: restricted", "classification: confidential"),
            COMPATIBLE, NEW_MAJOR, CLASSIFICATION_CHANGED, "customer_id"),
        new Case("add a warning rule", T, before("      - name: lines_sum_to_total\n",
                "      - name: not_huge\n        type: custom\n        engine: cel\n"
                    + "        implementation: 'total_amount < 1000000.0'\n        severity: warning\n"),
            COMPATIBLE, NEW_MAJOR, RULE_ADDED, "/schema/0/quality"),
        new Case("lower a rule from error to warning", T, replace("description: the sale is at most 5 minutes in the"
                + " future\n        severity: error", "description: the sale is at most 5 minutes in the future\n"
                + "        severity: warning"),
            COMPATIBLE, NEW_MAJOR, RULE_CHANGED, "/schema/0/quality"),
        new Case("add a batch share rule of severity error", T, after("        tags: [pii]\n",
                "        quality:\n          - name: customer_mostly_known\n            metric: nullValues\n"
                    + "            mustBeLessThan: 50\n            unit: percent\n            severity: error\n"),
            COMPATIBLE, NEW_MAJOR, RULE_ADDED, "customer_id"),

        // a share is never below 0 nor above 100: [0, 50] refuses nothing [below 50) accepted, and adds 50
        new Case("a critical share's bound written as a range from 0", T_CRITICAL_SHARE,
            replace("mustBeLessThan: 50\n            unit: percent", "mustBeBetween: [0, 50]\n            unit: percent"),
            COMPATIBLE, NEW_MAJOR, RULE_CHANGED, "customer_id"),
        new Case("a critical share's bound narrowed from below", T_CRITICAL_SHARE,
            replace("mustBeLessThan: 50\n            unit: percent", "mustBeBetween: [1, 50]\n            unit: percent"),
            BREAKING, NEW_MAJOR, RULE_CHANGED, "customer_id"),

        new Case("loosen the threshold of a critical sql rule", T_CRITICAL_SQL,
            replace("mustBeLessThan: 10", "mustBeLessThan: 20"),
            COMPATIBLE, NEW_MAJOR, RULE_CHANGED, "/schema/0/quality"),

        new Case("remove a role", P, replace("  - role: teller\n    access: write\n", ""),
            COMPATIBLE, NEW_MAJOR, ROLE_REMOVED, "/roles/3"),
        new Case("a role loses an action", P, replace("value: [read, ingest, admin]", "value: [read, admin]"),
            COMPATIBLE, NEW_MAJOR, ROLE_ACCESS_CHANGED, "/roles/0"),
        new Case("add a row filter", P, replace("          card: redact\n",
                "          card: redact\n      - property: lakemeshRowFilter\n        value: row.region == 'NCR'\n"),
            COMPATIBLE, NEW_MAJOR, ROW_FILTER_CHANGED, "/roles/2/customProperties/1/value"),
        new Case("add a mask", P, replace("          card: redact\n", "          card: redact\n          restricted: 'null'\n"),
            COMPATIBLE, NEW_MAJOR, MASK_CHANGED, "/roles/2/customProperties/0/value"),
        new Case("last-4 mask to redact", P, replace("card: last-4", "card: redact"),
            COMPATIBLE, NEW_MAJOR, MASK_CHANGED, "/roles/1/customProperties/1/value"),
        new Case("last-4 mask to last-2", P, replace("card: last-4", "card: last-2"),
            COMPATIBLE, NEW_MAJOR, MASK_CHANGED, "/roles/1/customProperties/1/value"),
        new Case("hash mask to null", P, replace("restricted: hash", "restricted: 'null'"),
            COMPATIBLE, NEW_MAJOR, MASK_CHANGED, "/roles/1/customProperties/1/value"),
        new Case("reclassify to a stronger mask", P, replace("        classification: restricted\n      - name: card_number",
                "        classification: secret\n      - name: card_number")
                .andThen(replace("          card: last-4\n", "          card: last-4\n          secret: 'null'\n"))::apply,
            COMPATIBLE, NEW_MAJOR, CLASSIFICATION_CHANGED, "email"),

        // ---- breaking on the same major, a new major version under a major bump
        new Case("add required field", T, after("        tags: [pii]\n", channel.formatted(true)),
            BREAKING, NEW_MAJOR, FIELD_ADDED, "channel"),
        new Case("add required field to array items", T,
            before("            - name: line_amount\n", discount.formatted(true)),
            BREAKING, NEW_MAJOR, FIELD_ADDED, "items[].discount"),
        new Case("add required field to object", O,
            after("          - name: tier\n            logicalType: string\n            required: false\n",
                email.formatted(true)),
            BREAKING, NEW_MAJOR, FIELD_ADDED, "customer.email"),
        new Case("remove field", T, replace(customerId, ""), BREAKING, NEW_MAJOR, FIELD_REMOVED, "customer_id"),
        new Case("remove nested field", T, replace(brand, ""), BREAKING, NEW_MAJOR, FIELD_REMOVED,
            "items[].brand"),
        new Case("retype string to integer", T,
            replace(customerId, customerId.replace("logicalType: string", "logicalType: integer")),
            BREAKING, NEW_MAJOR, TYPE_CHANGED, "customer_id"),
        new Case("narrow long to int", O, replace("physicalType: bigint", "physicalType: int"),
            BREAKING, NEW_MAJOR, TYPE_CHANGED, "views"),
        new Case("retype array items", O, replace("        items:\n          logicalType: string",
                "        items:\n          logicalType: integer"),
            BREAKING, NEW_MAJOR, TYPE_CHANGED, "labels[]"),
        new Case("narrow decimal precision", T,
            replace("decimal(12,2)\n        required: true\n        description: Amount paid",
                "decimal(10,2)\n        required: true\n        description: Amount paid"),
            BREAKING, NEW_MAJOR, TYPE_CHANGED, "total_amount"),
        new Case("change decimal scale", T,
            replace("decimal(12,2)\n        required: true\n        description: Amount paid",
                "decimal(16,4)\n        required: true\n        description: Amount paid"),
            BREAKING, NEW_MAJOR, TYPE_CHANGED, "total_amount"),
        new Case("optional to required", T, replace(customerId, customerId.replace("false", "true")),
            BREAKING, NEW_MAJOR, MADE_REQUIRED, "customer_id"),
        new Case("narrow enum", T, replace("card, credit]", "card]"),
            BREAKING, NEW_MAJOR, ENUM_NARROWED, "payment_method"),
        new Case("add enum", O, after("      - name: channel\n        logicalType: string\n        required: false\n",
                "        quality:\n          - name: channel_valid\n            metric: invalidValues\n"
                    + "            arguments:\n              validValues: [web, store]\n            mustBe: 0\n"),
            BREAKING, NEW_MAJOR, ENUM_NARROWED, "channel"),
        // an enum or pattern rule narrows the field only when it refuses the row (error or critical, no share)
        new Case("an enum rule raised from warning to error", T.with(replace(paymentRule,
                paymentRule.replace("severity: error", "severity: warning"))),
            replace(paymentRule.replace("severity: error", "severity: warning"), paymentRule),
            BREAKING, NEW_MAJOR, ENUM_NARROWED, "payment_method"),
        new Case("add an enum rule of severity warning", O,
            after("      - name: channel\n        logicalType: string\n        required: false\n",
                "        quality:\n          - name: channel_valid\n            metric: invalidValues\n"
                    + "            arguments:\n              validValues: [web, store]\n            mustBe: 0\n"
                    + "            severity: warning\n"),
            COMPATIBLE, NEW_MAJOR, RULE_ADDED, "channel"),
        new Case("add a pattern share rule of severity error", T, after("        tags: [pii]\n",
                "        quality:\n          - name: customer_format\n            metric: invalidValues\n"
                    + "            arguments:\n              pattern: '^C-'\n            mustBeLessThan: 5\n"
                    + "            unit: percent\n            severity: error\n"),
            COMPATIBLE, NEW_MAJOR, RULE_ADDED, "customer_id"),
        new Case("a pattern share rule raised from error to critical", T.with(after("        tags: [pii]\n",
                "        quality:\n          - name: customer_format\n            metric: invalidValues\n"
                    + "            arguments:\n              pattern: '^C-'\n            mustBeLessThan: 5\n"
                    + "            unit: percent\n            severity: error\n")),
            replace("            unit: percent\n            severity: error\n",
                "            unit: percent\n            severity: critical\n"),
            BREAKING, NEW_MAJOR, RULE_CHANGED, "customer_id"),
        new Case("narrow the values of a critical share rule", T_CRITICAL_ENUM_SHARE,
            replace("[C1, C2, C3]", "[C1, C2]"), BREAKING, NEW_MAJOR, RULE_CHANGED, "customer_id"),
        new Case("widen the values of a critical share rule", T_CRITICAL_ENUM_SHARE,
            replace("[C1, C2, C3]", "[C1, C2, C3, C4]"), COMPATIBLE, NEW_MAJOR, RULE_CHANGED, "customer_id"),
        // the same values in another order (or one listed twice) are the same rule, counting or refusing
        new Case("reorder the values of a critical share rule", T_CRITICAL_ENUM_SHARE,
            replace("[C1, C2, C3]", "[C3, C1, C2, C1]"), COMPATIBLE, NEW_MAJOR, null, null),
        new Case("reorder the missing values of a rule", T_MISSING,
            replace("['', 'N/A']", "['N/A', '', 'N/A']"), COMPATIBLE, NEW_MAJOR, null, null),
        new Case("reorder the valid values of an enum rule", T,
            replace("[cash, gcash, maya, card, credit]", "[credit, card, maya, gcash, cash]"),
            COMPATIBLE, NEW_MAJOR, null, null),
        new Case("an enum rule lowered from error to warning", T,
            replace(paymentRule, paymentRule.replace("severity: error", "severity: warning")),
            COMPATIBLE, NEW_MAJOR, ENUM_WIDENED, "payment_method"),
        new Case("raise a minimum", T, replace("          minimum: 0\n      - name: items",
                "          minimum: 1\n      - name: items"),
            BREAKING, NEW_MAJOR, CONSTRAINT_NARROWED, "total_amount"),
        new Case("lower a maximum", O, replace("maximum: 1000", "maximum: 500"),
            BREAKING, NEW_MAJOR, CONSTRAINT_NARROWED, "quantity"),
        new Case("inclusive bound to exclusive", T, replace("          minimum: 0\n      - name: items",
                "          exclusiveMinimum: 0\n      - name: items"),
            BREAKING, NEW_MAJOR, CONSTRAINT_NARROWED, "total_amount"),
        new Case("raise an exclusive bound", T, replace("exclusiveMinimum: 0", "exclusiveMinimum: 1"),
            BREAKING, NEW_MAJOR, CONSTRAINT_NARROWED, "items[].qty"),
        // an integer format narrows the range: u8 allows 0..255 only; u32 is a long, but without negatives
        new Case("add an integer format that narrows the range", T,
            replace("exclusiveMinimum: 0\n", "exclusiveMinimum: 0\n                format: u8\n"),
            BREAKING, NEW_MAJOR, CONSTRAINT_NARROWED, "items[].qty"),
        new Case("add an unsigned format to an unbounded integer", O,
            replace("physicalType: bigint\n        required: false\n",
                "physicalType: bigint\n        required: false\n        logicalTypeOptions: {format: u32}\n"),
            BREAKING, NEW_MAJOR, CONSTRAINT_NARROWED, "views"),
        // within bounds 1..1000 an unsigned format refuses nothing more: only the type widens
        new Case("add an unsigned format inside the bounds", O,
            replace("          minimum: 1\n          maximum: 1000\n",
                "          minimum: 1\n          maximum: 1000\n          format: u32\n"),
            COMPATIBLE, NEW_MAJOR, TYPE_PROMOTED, "quantity"),
        new Case("raise minLength", T, replace("minLength: 1", "minLength: 2"),
            BREAKING, NEW_MAJOR, CONSTRAINT_NARROWED, "transaction_id"),
        new Case("lower maxLength", T, replace("maxLength: 64", "maxLength: 32"),
            BREAKING, NEW_MAJOR, CONSTRAINT_NARROWED, "transaction_id"),
        // a varchar(n) physical type limits the length as maxLength n would (as a column from a database has it)
        new Case("give a free-text column a varchar length", T,
            replace(CUSTOMER_ID, CUSTOMER_ID + "        physicalType: varchar(10)\n"),
            BREAKING, NEW_MAJOR, CONSTRAINT_NARROWED, "customer_id"),
        new Case("change a pattern", T, replace("'^S-[0-9]{4}$'", "'^S-[0-9]{5}$'"),
            BREAKING, NEW_MAJOR, CONSTRAINT_NARROWED, "store_id"),
        new Case("raise minItems", T, replace("minItems: 1", "minItems: 2"),
            BREAKING, NEW_MAJOR, CONSTRAINT_NARROWED, "items"),
        new Case("lower maxItems", O, replace("maxItems: 10", "maxItems: 5"),
            BREAKING, NEW_MAJOR, CONSTRAINT_NARROWED, "labels"),
        new Case("extend the primary key", T,
            after(storeId, "        primaryKey: true\n        primaryKeyPosition: 2\n"),
            BREAKING, NEW_MAJOR, PRIMARY_KEY_CHANGED, "primaryKey"),
        new Case("reorder the primary key", O, swap("primaryKeyPosition: 1", "primaryKeyPosition: 2"),
            BREAKING, NEW_MAJOR, PRIMARY_KEY_CHANGED, "primaryKey"),
        new Case("reorder the partitioning", T, swap("partitionKeyPosition: 1", "partitionKeyPosition: 2"),
            BREAKING, NEW_MAJOR, PARTITIONING_CHANGED, "partitioning"),
        new Case("change a partition transform", T, replace("value: day", "value: hour"),
            BREAKING, NEW_MAJOR, PARTITIONING_CHANGED, "partitioning"),
        new Case("drop a partition field", T, replace("        partitioned: true\n        partitionKeyPosition: 2\n", ""),
            BREAKING, NEW_MAJOR, PARTITIONING_CHANGED, "partitioning"),
        new Case("change the stage", O, replace("value: gold", "value: source"),
            BREAKING, NEW_MAJOR, STAGE_CHANGED, "/customProperties/lakemeshStage"),
        new Case("change the upstream", O, replace("value: shop.orders\n", "value: shop.orders_v2\n"),
            BREAKING, NEW_MAJOR, UPSTREAM_CHANGED, "/customProperties/lakemeshUpstream"),
        new Case("add a role", P, after("    access: write\n", "  - role: partner\n    access: read\n"),
            BREAKING, NEW_MAJOR, ROLE_ADDED, "/roles/4"),
        new Case("a role gains read", P, replace("    access: write\n", "    access: read-write\n"),
            BREAKING, NEW_MAJOR, ROLE_ACCESS_CHANGED, "/roles/3"),
        new Case("a role gains admin", P, replace("  - role: teller\n    access: write\n",
                "  - role: teller\n    access: write\n    customProperties:\n      - property: lakemeshActions\n"
                    + "        value: [ingest, admin]\n"),
            BREAKING, NEW_MAJOR, ROLE_ACCESS_CHANGED, "/roles/3"),
        new Case("remove a row filter", P, replace("      - property: lakemeshRowFilter\n        value: row.region =="
                + " claims.region\n", ""),
            BREAKING, NEW_MAJOR, ROW_FILTER_CHANGED, "/roles/1"),
        new Case("change a row filter", P, replace("row.region == claims.region", "row.region != claims.region"),
            BREAKING, NEW_MAJOR, ROW_FILTER_CHANGED, "/roles/1/customProperties/0/value"),
        new Case("remove a mask", P, replace("          card: last-4\n", ""),
            BREAKING, NEW_MAJOR, MASK_CHANGED, "/roles/1/customProperties/1/value"),
        new Case("redact mask to last-4", P, replace("card: redact", "card: last-4"),
            BREAKING, NEW_MAJOR, MASK_CHANGED, "/roles/2/customProperties/0/value"),
        new Case("last-4 mask to hash", P, replace("card: last-4", "card: hash"),
            BREAKING, NEW_MAJOR, MASK_CHANGED, "/roles/1/customProperties/1/value"),
        new Case("last-4 mask to last-6", P, replace("card: last-4", "card: last-6"), BREAKING, NEW_MAJOR,
            MASK_CHANGED, "/roles/1/customProperties/1/value"),
        new Case("reclassify a column out of its mask", P,
            replace("        classification: restricted\n      - name: card_number",
                "        classification: internal\n      - name: card_number"),
            BREAKING, NEW_MAJOR, MASK_CHANGED, "email"),
        new Case("more Kafka partitions", T, replace("lakemeshPartitions\n    value: 3", "lakemeshPartitions\n    value: 6"),
            BREAKING, BREAKING, KAFKA_PARTITIONS_CHANGED, "/customProperties/lakemeshPartitions"),
        new Case("fewer Kafka partitions", T, replace("lakemeshPartitions\n    value: 3", "lakemeshPartitions\n    value: 2"),
            BREAKING, BREAKING, KAFKA_PARTITIONS_CHANGED, "/customProperties/lakemeshPartitions"),
        new Case("change the transformation", O, replace("    value: order_lines\n", "    value: order_lines_v2\n"),
            BREAKING, NEW_MAJOR, TRANSFORM_CHANGED, "/customProperties/lakemeshTransform"),

        new Case("add an error CEL rule", T, before("      - name: lines_sum_to_total\n",
                "      - name: not_huge\n        type: custom\n        engine: cel\n"
                    + "        implementation: 'total_amount < 1000000.0'\n        severity: error\n"),
            BREAKING, NEW_MAJOR, RULE_ADDED, "/schema/0/quality"),
        new Case("add a library rule that no row may break", T, after("        tags: [pii]\n",
                "        quality:\n          - name: customer_known\n            metric: nullValues\n"
                    + "            mustBe: 0\n"),
            BREAKING, NEW_MAJOR, RULE_ADDED, "customer_id"),
        new Case("add a critical sql rule", T, before("      - name: lines_sum_to_total\n",
                "      - name: no_empty\n        type: sql\n        query: SELECT COUNT(*) FROM ${object} WHERE"
                    + " total_amount < 0\n        mustBe: 0\n        severity: critical\n"),
            BREAKING, NEW_MAJOR, RULE_ADDED, "/schema/0/quality"),

        new Case("change the expression of an error CEL rule", T, replace("- total_amount) <= 0.01'",
                "- total_amount) <= 0.001'"),
            BREAKING, NEW_MAJOR, RULE_CHANGED, "/schema/0/quality"),
        new Case("tighten the threshold of a critical sql rule", T_CRITICAL_SQL,
            replace("mustBeLessThan: 10", "mustBeLessThan: 5"),
            BREAKING, NEW_MAJOR, RULE_CHANGED, "/schema/0/quality"),

        // ---- another product: breaking whatever the version says
        new Case("change the product id", T, replace("id: retail.transactions", "id: retail.sales"),
            BREAKING, BREAKING, PRODUCT_ID_CHANGED, "/id"),
        new Case("change the domain", T, replace("id: retail.transactions\n", "id: store.transactions\n")
                .andThen(replace("domain: retail\n", "domain: store\n"))::apply,
            BREAKING, BREAKING, DOMAIN_CHANGED, "/domain"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("matrix")
  void eachChangeGetsItsVerdict(Case c) {
    String text = c.base().text();
    Contract running = parse(c.name() + " (running)", text);
    String edited = c.edit().apply(text);

    ContractDiff sameMajor = ContractDiff.compare(running, parse(c.name(), edited));
    assertEquals(c.sameMajor(), sameMajor.verdict(), sameMajor.render());
    if (c.kind() == null) {
      assertEquals(List.of(), sameMajor.changes(), sameMajor.render());
    } else {
      Change change = sameMajor.changes().stream()
          .filter(ch -> ch.kind() == c.kind() && ch.path().equals(c.path()))
          .findFirst()
          .orElseGet(() -> fail("no " + c.kind() + " at " + c.path() + " in\n" + sameMajor.render()));
      assertEquals(c.sameMajor() != COMPATIBLE, change.breaking(), sameMajor.render());
      assertTrue(sameMajor.render().contains(change.description()), sameMajor.render());
    }

    String bumped = edited.replace(c.base().versionLine(), "version: 2.0.0");
    assertNotEquals(edited, bumped);
    ContractDiff newMajor = ContractDiff.compare(running, parse(c.name() + " (2.0.0)", bumped));
    assertEquals(c.newMajor(), newMajor.verdict(), newMajor.render());
    // the bump adds only the version change itself
    assertEquals(sameMajor.changes().size() + 1, newMajor.changes().size(), newMajor.render());
  }

  @org.junit.jupiter.api.Test
  void aNarrowedValueListNamesTheValuesNoLongerValid() {
    String text = T_CRITICAL_ENUM_SHARE.text();
    ContractDiff diff = ContractDiff.compare(parse("running", text),
        parse("narrowed", replace("[C1, C2, C3]", "[C1, C2]").apply(text)));
    assertTrue(diff.render().contains("values [C3] are no longer valid: rows with them now count against the rule"),
        diff.render());
  }

  @org.junit.jupiter.api.Test
  void aRulesPatternChangeNamesTheRule() {
    String rule = "        quality:\n          - name: customer_format\n            metric: invalidValues\n"
        + "            arguments:\n              pattern: '^C-'\n            mustBe: 0\n            severity: error\n";
    String text = T.with(after("        tags: [pii]\n", rule)).text();
    ContractDiff diff = ContractDiff.compare(parse("running", text),
        parse("changed", replace("pattern: '^C-'", "pattern: '^CU-'").apply(text)));
    assertTrue(diff.render().contains("pattern of 'customer_id' (rule 'customer_format') changes from '^C-' to"
        + " '^CU-'"), diff.render());
  }

  static Contract parse(String name, String text) {
    try {
      return ContractParser.parse(name, text);
    } catch (InvalidContractException e) {
      return fail("the edited contract must stay valid: " + e.getMessage());
    }
  }

  static UnaryOperator<String> replace(String from, String to) {
    return text -> {
      int at = text.indexOf(from);
      assertTrue(at >= 0 && text.indexOf(from, at + 1) < 0, "edit target must occur once: " + from);
      return text.replace(from, to);
    };
  }

  static UnaryOperator<String> after(String anchor, String insert) {
    return replace(anchor, anchor + insert);
  }

  static UnaryOperator<String> before(String anchor, String insert) {
    return replace(anchor, insert + anchor);
  }

  static UnaryOperator<String> swap(String a, String b) {
    String marker = "\u0000swap\u0000";
    return text -> replace(b, marker).andThen(replace(a, b)).andThen(replace(marker, a)).apply(text);
  }
}
