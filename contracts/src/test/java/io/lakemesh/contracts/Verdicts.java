package io.lakemesh.contracts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.lakemesh.contracts.validate.Outcome;
import io.lakemesh.contracts.validate.RowValidator;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

/** Test support: contracts from test resources, and one-line verdicts on single events. */
final class Verdicts {
  static final Instant NOW = Instant.parse("2026-11-25T10:00:00Z");

  private Verdicts() {}

  /** The row validator of a contract under {@code /contracts/} in the test resources. */
  static RowValidator validator(String resource) throws IOException, InvalidContractException {
    try (InputStream in = Verdicts.class.getResourceAsStream("/contracts/" + resource)) {
      return RowValidator.compile(ContractParser.parse(resource, new String(in.readAllBytes(),
          StandardCharsets.UTF_8)));
    }
  }

  /**
   * Asserts the event is accepted ({@code violatedRule} null) or rejected for exactly that rule on {@code field}.
   */
  static Outcome assertVerdict(RowValidator validator, String event, String violatedRule, String field) {
    Outcome outcome = validator.validate(event.getBytes(StandardCharsets.UTF_8), NOW);
    if (violatedRule == null) {
      assertInstanceOf(Outcome.Accepted.class, outcome, outcome::toString);
      return outcome;
    }
    Outcome.Rejected rejected = assertInstanceOf(Outcome.Rejected.class, outcome, outcome::toString);
    assertEquals(List.of(violatedRule + "@" + field),
        rejected.errors().stream().map(v -> v.rule() + "@" + v.field()).toList(), outcome.toString());
    return outcome;
  }
}
