package io.lakemesh.contracts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.lakemesh.contracts.model.Contract;
import io.lakemesh.contracts.validate.Outcome;
import io.lakemesh.contracts.validate.RowValidator;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Inclusive and exclusive bounds of dates, times and timestamps, at and around each bound; and a missingValues
 * rule's own list of missing values.
 */
class TemporalBoundsTest {
  private static final Instant NOW = Instant.parse("2026-11-25T10:00:00Z");

  @ParameterizedTest(name = "{0}: {1}")
  @CsvSource(delimiter = '|', value = {
      "d  | '2020-01-01'           | ",
      "d  | '2019-12-31'           | minimum",
      "d  | '2029-12-31'           | ",
      "d  | '2030-01-01'           | exclusiveMaximum",
      "t  | '2020-01-01T00:00:00Z' | exclusiveMinimum",
      "t  | '2020-01-01T00:00:01Z' | ",
      "t  | '2030-01-01T00:00:00Z' | ",
      "t  | '2030-01-01T00:00:01Z' | maximum",
      "tm | '08:00:00'             | exclusiveMinimum",
      "tm | '08:00:01'             | ",
      "tm | '18:00:00'             | exclusiveMaximum",
      // the same contract's missingValues rule with its own list of values that count as missing
      "note | 'N/A'                | missingValues:note",
      "note | ''                   | missingValues:note",
      "note | ' '                  | ",
      "note | 'n/a please'         | ",
  })
  void boundsHold(String column, String value, String violatedRule) throws Exception {
    Contract contract;
    try (InputStream in = getClass().getResourceAsStream("/contracts/temporal-bounds.odcs.yaml")) {
      contract = ContractParser.parse("temporal-bounds.odcs.yaml",
          new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
    RowValidator validator = RowValidator.compile(contract);
    // note is checked for missing values: present unless it is the column under test
    String event = "{\"id\":\"a\"," + (column.equals("note") ? "" : "\"note\":\"ok\",") + "\"" + column
        + "\":\"" + value + "\"}";
    Outcome outcome = validator.validate(event.getBytes(StandardCharsets.UTF_8), NOW);
    if (violatedRule == null) {
      assertInstanceOf(Outcome.Accepted.class, outcome, outcome::toString);
      return;
    }
    Outcome.Rejected rejected = assertInstanceOf(Outcome.Rejected.class, outcome, outcome::toString);
    assertEquals(List.of(violatedRule + "@" + column),
        rejected.errors().stream().map(v -> v.rule() + "@" + v.field()).toList(), outcome.toString());
  }
}
