package io.lakemesh.contracts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.lakemesh.contracts.validate.Outcome;
import io.lakemesh.contracts.validate.RowValidator;
import io.lakemesh.contracts.validate.Violation;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The retail contract's "line amounts add up to the total within 0.01" gives one verdict for one difference,
 * whatever the amounts: a cent apart passes, two cents apart fails. Written as {@code <= 0.01} over CEL's binary
 * doubles it passed 10.01 against 10.00 and refused 30.01 against 30.00 (QA31 F6).
 */
class RetailLineSumBoundaryTest {
  private static final Instant NOW = Instant.parse("2026-11-25T10:00:00Z");

  @ParameterizedTest(name = "total {0}, line {1}: accepted {2}")
  @CsvSource({
      "10.01, 10.00, true", "30.01, 30.00, true", "100.01, 100.00, true", "1000.01, 1000.00, true",
      "20.00, 20.01, true", "0.01, 0.00, true", "99999999.99, 99999999.98, true", "30.00, 30.00, true",
      "30.02, 30.00, false", "10.02, 10.00, false", "20.00, 20.02, false", "99999999.99, 99999999.97, false"})
  void aCentApartPassesTwoCentsApartFails(String total, String line, boolean accepted) throws Exception {
    RowValidator validator = RowValidator.compile(RetailContracts.parse(RetailContracts.TRANSACTIONS));
    String event = "{\"transaction_id\":\"T-1\",\"store_id\":\"S-0001\",\"region\":\"NCR\","
        + "\"ts\":\"2026-11-25T09:59:00Z\",\"payment_method\":\"cash\",\"total_amount\":" + total + ","
        + "\"items\":[{\"product_id\":\"P-1\",\"product_name\":\"Rice\",\"brand\":\"Acme\",\"category\":\"grocery\","
        + "\"qty\":1,\"unit_price\":" + line + ",\"line_amount\":" + line + "}]}";
    Outcome outcome = validator.validate(event.getBytes(StandardCharsets.UTF_8), NOW);
    if (accepted) {
      assertInstanceOf(Outcome.Accepted.class, outcome, outcome::toString);
    } else {
      Outcome.Rejected rejected = assertInstanceOf(Outcome.Rejected.class, outcome, outcome::toString);
      assertEquals(List.of("lines_sum_to_total"), rejected.errors().stream().map(Violation::rule).toList(),
          outcome.toString());
    }
  }
}
