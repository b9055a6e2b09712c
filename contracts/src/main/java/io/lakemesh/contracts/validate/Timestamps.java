package io.lakemesh.contracts.validate;

import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.TemporalAccessor;

/**
 * How an event's timestamp text becomes the value stored: ISO-8601 with an offset, or without one taken in the
 * property's {@code defaultTimezone} (UTC),
 * normalised to UTC and cut to microseconds, the precision of an Iceberg timestamp. Cutting here, where the value is
 * read, keeps every use of it the same: the row, its key for deduplication and routing, and the rules. Times of day
 * are cut the same way (an Iceberg time is microseconds too).
 */
public final class Timestamps {
  private Timestamps() {}

  /**
   * ISO-8601 date and time, {@code T} or a space between them (RFC 3339 allows it; SQL databases print it), then
   * an offset {@code Z}, {@code +08:00}, {@code +0800} or {@code +08}, or none.
   */
  private static final DateTimeFormatter LENIENT = new DateTimeFormatterBuilder()
      .parseCaseInsensitive()
      .append(DateTimeFormatter.ISO_LOCAL_DATE_TIME)
      .optionalStart().appendOffset("+HH:MM:ss", "Z").optionalEnd()
      .optionalStart().appendOffset("+HHMM", "Z").optionalEnd()
      .optionalStart().appendOffset("+HH", "Z").optionalEnd()
      .toFormatter(java.util.Locale.ROOT)
      .withChronology(java.time.chrono.IsoChronology.INSTANCE)
      .withResolverStyle(java.time.format.ResolverStyle.STRICT); // no 30 February made into the 28th

  /** The stored value of a timestamp's text; throws {@link java.time.DateTimeException} for anything else. */
  public static OffsetDateTime parse(String text) {
    return parse(text, ZoneOffset.UTC);
  }

  /**
   * The stored value of a timestamp's text, a text without an offset being a time in {@code zoneIfNone} (a
   * property's {@code defaultTimezone}); throws {@link java.time.DateTimeException} for anything else.
   */
  public static OffsetDateTime parse(String text, ZoneId zoneIfNone) {
    OffsetDateTime t = Rfc3339.parseUtc(text);
    if (t == null) {
      String iso = text.length() > 11 && text.charAt(10) == ' ' ? text.substring(0, 10) + 'T' + text.substring(11)
          : text;
      TemporalAccessor parsed = LENIENT.parseBest(iso, OffsetDateTime::from, LocalDateTime::from);
      t = parsed instanceof OffsetDateTime offset ? offset.withOffsetSameInstant(ZoneOffset.UTC)
          : ((LocalDateTime) parsed).atZone(zoneIfNone).toOffsetDateTime().withOffsetSameInstant(ZoneOffset.UTC);
    }
    int nanos = t.getNano();
    return nanos % 1000 == 0 ? t : t.withNano(nanos - nanos % 1000);
  }

  /** A property's {@code defaultTimezone}, UTC when it has none; throws {@link java.time.DateTimeException}. */
  public static ZoneId zone(String defaultTimezone) {
    return defaultTimezone == null || defaultTimezone.isBlank() ? ZoneOffset.UTC : ZoneId.of(defaultTimezone);
  }

  /** The stored value of a time of day's text ({@code HH:mm[:ss[.f]]}), cut to microseconds. */
  public static LocalTime parseTime(String text) {
    LocalTime t = LocalTime.parse(text);
    int nanos = t.getNano();
    return nanos % 1000 == 0 ? t : t.withNano(nanos - nanos % 1000);
  }
}
