package io.lakemesh.contracts;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.lakemesh.contracts.validate.Outcome;
import io.lakemesh.contracts.validate.RowValidator;
import java.time.LocalDate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Values judged by their property's {@code logicalTypeOptions.format}; an unknown format is not checked. */
class FormatsTest {
  private static RowValidator validator;

  @BeforeAll
  static void compile() throws Exception {
    validator = Verdicts.validator("formats.odcs.yaml");
  }

  @ParameterizedTest(name = "{0} = {1}")
  @CsvSource(delimiter = '|', value = {
      "mail    | '\"ana@example.ph\"'                         | ",
      "mail    | '\"not-an-email\"'                           | format",
      "mail    | '\"a@b\"'                                    | format",
      "ref     | '\"6f1c2a9e-3b4d-4c8e-9f10-2a3b4c5d6e7f\"'   | ",
      "ref     | '\"not-a-uuid\"'                             | format",
      "link    | '\"https://lakemesh.io/docs\"'               | ",
      "link    | '\"/relative/path\"'                         | format",
      "ip      | '\"10.0.0.255\"'                             | ",
      "ip      | '\"10.0.0.256\"'                             | format",
      "colour  | '\"whatever\"'                               | ",
      "small   | 32767                                        | ",
      "small   | 32768                                        | format",
      "small   | -32769                                       | format",
      "byte    | 255                                          | ",
      "byte    | -1                                           | format",
      "shipped | '\"25/11/2026\"'                             | ",
      "shipped | '\"31/02/2026\"'                             | logicalType",
      // ISO besides the contract's pattern, as times and timestamps are read
      "shipped | '\"2026-11-25\"'                             | ",
      "shipped | '\"2026-02-30\"'                             | logicalType",
      "shipped | '\"25-11-2026\"'                             | logicalType",
      "shipped | '\"31/12/2019\"'                             | minimum",
      // a number whose physicalType is an integer type holds whole numbers
      "whole   | 42                                           | ",
      "whole   | 4.5                                          | logicalType",
  })
  void formatsAreChecked(String column, String json, String violatedRule) {
    Verdicts.assertVerdict(validator, "{\"id\":\"a\",\"" + column + "\":" + json + "}", violatedRule, column);
  }

  @org.junit.jupiter.api.Test
  void aDateInItsFormatIsStoredAsADate() {
    Outcome.Accepted accepted = (Outcome.Accepted) Verdicts.assertVerdict(validator,
        "{\"id\":\"a\",\"shipped\":\"05/01/2026\"}", null, null);
    assertEquals(LocalDate.of(2026, 1, 5), accepted.row().getField("shipped"));
  }

  @org.junit.jupiter.api.Test
  void valuesOfNoDeclaredTypeAreKeptAsJsonText() throws Exception {
    RowValidator untyped = Verdicts.validator("untyped-values.odcs.yaml");
    Outcome.Accepted accepted = (Outcome.Accepted) Verdicts.assertVerdict(untyped,
        "{\"id\":\"a\",\"latest_txns\":[1,\"b\",{\"x\":[true,null]}],\"customer_details\":{\"kids\":2},"
            + "\"txn_timestamp\":\"2025-11-25 09:30:00\"}", null, null);
    assertEquals(java.util.List.of("1", "b", "{\"x\":[true,null]}"), accepted.row().getField("latest_txns"));
    assertEquals("{\"kids\":2}", accepted.row().getField("customer_details"));
    // a date whose physical type is a timestamp keeps its time (ODCS v3.0 wrote timestamps so)
    assertEquals(java.time.OffsetDateTime.parse("2025-11-25T09:30:00Z"), accepted.row().getField("txn_timestamp"));
    Verdicts.assertVerdict(untyped, "{\"id\":\"a\",\"customer_details\":\"kids\"}", "logicalType",
        "customer_details");
    Verdicts.assertVerdict(untyped, "{\"id\":\"a\",\"latest_txns\":[1,2,3,4]}", "maxItems", "latest_txns");
  }
}
