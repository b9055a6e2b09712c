package io.lakemesh.contracts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.lakemesh.contracts.validate.Outcome;
import io.lakemesh.contracts.validate.RowValidator;
import io.lakemesh.contracts.validate.Violation;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A time bound's finding writes both times with their seconds (QA31 F7: it said "22:00 must be before 22:00"). */
class TimeBoundMessagesTest {
  @Test
  void timeBoundsKeepTheirSeconds() throws Exception {
    RowValidator shifts = oneObject("ops.shifts", """
              - name: starts
                logicalType: time
                logicalTypeOptions: {minimum: "06:00:00", exclusiveMaximum: "22:00:00"}
        """);
    assertEquals(List.of("22:00:00 must be before 22:00:00"), messages(shifts, "starts", "22:00:00"));
    assertEquals(List.of("05:59:59 is before the minimum 06:00:00"), messages(shifts, "starts", "05:59:59"));
  }

  @Test
  void aTimestampBoundWithAnOffsetIsShownAsWrittenAndInUtc() throws Exception {
    RowValidator sales = oneObject("shop.sales", """
              - name: at
                logicalType: timestamp
                logicalTypeOptions: {minimum: "2026-01-01T00:00:00+08:00", maximum: "2026-12-31T23:59:59Z"}
        """);
    // the instant is compared (15:59:59Z is before 16:00Z); the bound is found in the contract by its own text
    assertEquals(List.of("2025-12-31T15:59:59Z is before the minimum 2026-01-01T00:00:00+08:00"
            + " (2025-12-31T16:00:00Z)"), messages(sales, "at", "2025-12-31T23:59:59+08:00"));
    assertEquals(List.of("2027-01-01T00:00:00Z is after the maximum 2026-12-31T23:59:59Z"),
        messages(sales, "at", "2027-01-01T00:00:00Z"));
  }

  private static List<String> messages(RowValidator validator, String field, String value) {
    Outcome outcome = validator.validate(("{\"id\":\"s1\",\"" + field + "\":\"" + value + "\"}")
        .getBytes(StandardCharsets.UTF_8), Instant.parse("2026-11-25T10:00:00Z"));
    return assertInstanceOf(Outcome.Rejected.class, outcome, outcome::toString).errors().stream()
        .map(Violation::message).toList();
  }

  @Test
  void aTimeFormatIsReadBesidesIso() throws Exception {
    RowValidator slots = oneObject("ops.slots", """
              - name: starts
                logicalType: time
                logicalTypeOptions: {format: HHmm, minimum: "0600"}
        """);
    for (String written : List.of("0930", "09:30", "09:30:00")) {
      Outcome outcome = slots.validate(("{\"id\":\"s1\",\"starts\":\"" + written + "\"}")
          .getBytes(StandardCharsets.UTF_8), Instant.parse("2026-11-25T10:00:00Z"));
      Outcome.Accepted accepted = assertInstanceOf(Outcome.Accepted.class, outcome, written + ": " + outcome);
      assertEquals(java.time.LocalTime.of(9, 30), accepted.row().getField("starts"), written);
    }
    assertEquals(List.of("05:59:00 is before the minimum 06:00:00"), messages(slots, "starts", "0559"));
    assertEquals(List.of("'9.30' is not a time (HH:mm, HH:mm:ss or with a fraction, or HHmm)"),
        messages(slots, "starts", "9.30"));
  }

  @Test
  void aTwelveHourTimeReadsPmInEitherCase() throws Exception {
    RowValidator shifts = oneObject("ops.shifts", """
              - {name: ends, logicalType: time, logicalTypeOptions: {format: "h:mm a"}}
        """);
    for (String written : List.of("6:00 PM", "6:00 pm", "6:00 Pm", "18:00")) {
      Outcome outcome = shifts.validate(("{\"id\":\"s1\",\"ends\":\"" + written + "\"}")
          .getBytes(StandardCharsets.UTF_8), Instant.parse("2026-11-25T10:00:00Z"));
      Outcome.Accepted accepted = assertInstanceOf(Outcome.Accepted.class, outcome, written + ": " + outcome);
      assertEquals(java.time.LocalTime.of(18, 0), accepted.row().getField("ends"), written);
    }
  }

  /** A validator of a contract {@code id} of one schema object with a string key {@code id} and these properties. */
  private static RowValidator oneObject(String id, String properties) throws Exception {
    return RowValidator.compile(ContractParser.parse(id, """
        apiVersion: v3.1.0
        kind: DataContract
        id: %s
        version: 1.0.0
        status: active
        schema:
          - name: %s
            properties:
              - {name: id, logicalType: string, primaryKey: true, required: true}
        """.formatted(id, id.substring(id.indexOf('.') + 1)) + properties));
  }
}
