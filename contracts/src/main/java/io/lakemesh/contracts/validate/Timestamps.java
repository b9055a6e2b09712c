package io.lakemesh.contracts.validate;

import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/**
 * How an event's timestamp text becomes the value stored: ISO-8601 with an offset, or without one taken as UTC,
 * normalised to UTC and cut to microseconds, the precision of an Iceberg timestamp. Cutting here, where the value is
 * read, keeps every use of it the same: the row, its key for deduplication and routing, and the rules. Times of day
 * are cut the same way (an Iceberg time is microseconds too).
 */
public final class Timestamps {
  private Timestamps() {}

  /** The stored value of a timestamp's text; throws {@link java.time.DateTimeException} for anything else. */
  public static OffsetDateTime parse(String text) {
    OffsetDateTime t = Rfc3339.parseUtc(text);
    if (t == null) {
      try {
        t = OffsetDateTime.parse(text).withOffsetSameInstant(ZoneOffset.UTC);
      } catch (DateTimeParseException e) {
        t = LocalDateTime.parse(text).atOffset(ZoneOffset.UTC);
      }
    }
    int nanos = t.getNano();
    return nanos % 1000 == 0 ? t : t.withNano(nanos - nanos % 1000);
  }

  /** The stored value of a time of day's text ({@code HH:mm[:ss[.f]]}), cut to microseconds. */
  public static LocalTime parseTime(String text) {
    LocalTime t = LocalTime.parse(text);
    int nanos = t.getNano();
    return nanos % 1000 == 0 ? t : t.withNano(nanos - nanos % 1000);
  }
}
