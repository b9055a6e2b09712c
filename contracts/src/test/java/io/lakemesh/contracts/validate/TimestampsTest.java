package io.lakemesh.contracts.validate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.DateTimeException;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

/** The timestamp forms events write, beyond the strict RFC 3339 one the fast path reads. */
class TimestampsTest {
  private static final OffsetDateTime AT = OffsetDateTime.parse("2026-11-25T08:15:30Z");

  @Test
  void aSpaceMayStandForTheT() {
    assertEquals(AT, Timestamps.parse("2026-11-25 08:15:30Z"));
    assertEquals(AT, Timestamps.parse("2026-11-25 16:15:30+08:00"));
    assertEquals(AT, Timestamps.parse("2026-11-25 08:15:30"));
  }

  @Test
  void offsetsMayBeWrittenWithoutAColonOrMinutes() {
    assertEquals(AT, Timestamps.parse("2026-11-25T16:15:30+0800"));
    assertEquals(AT, Timestamps.parse("2026-11-25 16:15:30 +08:00"));
    assertEquals(AT, Timestamps.parse("2026-11-25T16:15:30+08"));
    assertEquals(AT, Timestamps.parse("2026-11-25T02:45:30-0530"));
    assertEquals(AT.plusNanos(123_456_000), Timestamps.parse("2026-11-25 16:15:30.123456789+0800"));
  }

  @Test
  void aTimeWithoutAnOffsetIsInTheDefaultTimezone() {
    assertEquals(AT, Timestamps.parse("2026-11-25T09:15:30", ZoneId.of("Europe/Paris")));
    assertEquals(AT.minusMonths(5), Timestamps.parse("2026-06-25T10:15:30", ZoneId.of("Europe/Paris")),
        "summer time: two hours ahead of UTC");
    assertEquals(AT, Timestamps.parse("2026-11-25T08:15:30Z", ZoneId.of("Europe/Paris")), "an offset wins");
    assertEquals(java.time.ZoneOffset.UTC, Timestamps.zone(null));
  }

  @Test
  void whatNamesNoInstantIsStillRefused() {
    for (String text : new String[] {"2026-02-30T00:00:00Z", "2026-11-2508:15:30Z", "2026-11-25T25:00:00Z",
        "2026-11-25T08:15:30+2500", "2026-11-32", "yesterday", "2026-11-25  08:15:30Z"}) {
      assertThrows(DateTimeException.class, () -> Timestamps.parse(text), text);
    }
  }

  @Test
  void aDateAloneIsTheStartOfItsDay() {
    assertEquals(OffsetDateTime.parse("2026-11-25T00:00:00Z"), Timestamps.parse("2026-11-25"));
    assertEquals(OffsetDateTime.parse("2026-11-24T23:00:00Z"), Timestamps.parse("2026-11-25",
        ZoneId.of("Europe/Paris")));
  }

  @Test
  void aPropertysOwnPatternIsReadBesideIso() {
    java.time.format.DateTimeFormatter pattern = Timestamps.pattern("dd/MM/yyyy HH:mm");
    ZoneId manila = ZoneId.of("Asia/Manila");
    assertEquals(AT, Timestamps.parse("25/11/2026 16:15:30".substring(0, 16), manila, pattern).plusSeconds(30));
    assertEquals(AT, Timestamps.parse("2026-11-25T08:15:30Z", manila, pattern), "ISO-8601 still reads");
    assertThrows(DateTimeException.class, () -> Timestamps.parse("31/02/2026 10:00", manila, pattern));
    assertEquals(null, Timestamps.pattern("date-time"), "documentation, not a pattern");
    assertEquals(null, Timestamps.pattern("HH:mm"), "no day in it");
  }
}
