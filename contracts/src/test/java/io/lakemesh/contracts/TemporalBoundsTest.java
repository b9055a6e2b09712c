package io.lakemesh.contracts;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Inclusive and exclusive bounds of dates, times and timestamps, at and around each bound; and a missingValues
 * rule's own list of missing values.
 */
class TemporalBoundsTest {

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
    // note is checked for missing values: present unless it is the column under test
    String event = "{\"id\":\"a\"," + (column.equals("note") ? "" : "\"note\":\"ok\",") + "\"" + column
        + "\":\"" + value + "\"}";
    Verdicts.assertVerdict(Verdicts.validator("temporal-bounds.odcs.yaml"), event, violatedRule, column);
  }
}
