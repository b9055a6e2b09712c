package io.lakemesh.runtime.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.lakemesh.contracts.validate.Violation;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Rule failure counters: quality rules by name, built-in checks by check and field (array positions folded). */
class CounterNamesTest {
  private static final Set<String> RULES = Set.of("region_valid", "lines_sum_to_total");

  @Test
  void builtInChecksAreToldApartByFieldRulesKeepTheirName() {
    assertEquals("region_valid", SourceBatchCommitter.counterName(
        new Violation("invalid_value", "region", "region_valid", "'Atlantis' is not valid"), RULES));
    assertEquals("lines_sum_to_total", SourceBatchCommitter.counterName(
        new Violation("rule", "", "lines_sum_to_total", "fails"), RULES));
    assertEquals("maximum:items[].qty", SourceBatchCommitter.counterName(
        new Violation("maximum", "items[12].qty", "maximum", "too big"), RULES));
    assertEquals("pattern:store_id", SourceBatchCommitter.counterName(
        new Violation("pattern", "store_id", "pattern", "no match"), RULES));
    assertEquals("malformed_json", SourceBatchCommitter.counterName(
        new Violation("malformed_json", "", "malformed_json", "not JSON"), RULES));
  }
}
