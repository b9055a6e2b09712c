package io.lakemesh.contracts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.lakemesh.contracts.validate.Outcome;
import io.lakemesh.contracts.validate.RowValidator;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Values judged by their property's {@code logicalTypeOptions.format}; an unknown format is not checked. */
class FormatsTest {
  private static final Instant NOW = Instant.parse("2026-11-25T10:00:00Z");
  private static RowValidator validator;

  @BeforeAll
  static void compile() throws Exception {
    try (InputStream in = FormatsTest.class.getResourceAsStream("/contracts/formats.odcs.yaml")) {
      validator = RowValidator.compile(ContractParser.parse("formats.odcs.yaml",
          new String(in.readAllBytes(), StandardCharsets.UTF_8)));
    }
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
      "shipped | '\"2026-11-25\"'                             | logicalType",
      "shipped | '\"31/12/2019\"'                             | minimum",
  })
  void formatsAreChecked(String column, String json, String violatedRule) {
    String event = "{\"id\":\"a\",\"" + column + "\":" + json + "}";
    Outcome outcome = validator.validate(event.getBytes(StandardCharsets.UTF_8), NOW);
    if (violatedRule == null) {
      assertInstanceOf(Outcome.Accepted.class, outcome, outcome::toString);
      return;
    }
    Outcome.Rejected rejected = assertInstanceOf(Outcome.Rejected.class, outcome, outcome::toString);
    assertEquals(List.of(violatedRule + "@" + column),
        rejected.errors().stream().map(v -> v.rule() + "@" + v.field()).toList(), outcome.toString());
  }

  @org.junit.jupiter.api.Test
  void aDateInItsFormatIsStoredAsADate() {
    Outcome outcome = validator.validate("{\"id\":\"a\",\"shipped\":\"05/01/2026\"}".getBytes(StandardCharsets.UTF_8),
        NOW);
    Outcome.Accepted accepted = assertInstanceOf(Outcome.Accepted.class, outcome, outcome::toString);
    assertEquals(LocalDate.of(2026, 1, 5), accepted.row().getField("shipped"));
  }
}
