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
   * an offset {@code Z}, {@code +08:00}, {@code +0800} or {@code +08} (after a space or not), or none.
   */
  private static final DateTimeFormatter LENIENT = new DateTimeFormatterBuilder()
      .parseCaseInsensitive()
      .append(DateTimeFormatter.ISO_LOCAL_DATE_TIME)
      .optionalStart().appendLiteral(' ').optionalEnd() // Oracle's TO_CHAR and psql write "10:00:00 +08:00"
      .optionalStart().appendOffset("+HH:MM:ss", "Z").optionalEnd()
      .optionalStart().appendOffset("+HHMM", "Z").optionalEnd()
      .optionalStart().appendOffset("+HH", "Z").optionalEnd()
      .toFormatter(java.util.Locale.ROOT)
      .withChronology(java.time.chrono.IsoChronology.INSTANCE)
      .withResolverStyle(java.time.format.ResolverStyle.STRICT); // no 30 February made into the 28th

  /** The stored value of a timestamp's text; throws {@link java.time.DateTimeException} for anything else. */
  /**
   * For an error about a time that came in a URL's query: when it holds a space, the sentence telling that an
   * unescaped {@code +} of an offset reads as a space (empty otherwise), so every endpoint words it alike.
   */
  public static String plusReadAsSpaceHint(String text) {
    return text.contains(" ") ? PLUS_READ_AS_SPACE : "";
  }

  /** What a refusal of a query parameter adds when its value was written with a bare '+'. */
  public static final String PLUS_READ_AS_SPACE = " (a '+' in a URL's query reads as a space: write it as %2B)";

  public static OffsetDateTime parse(String text) {
    return parse(text, ZoneOffset.UTC);
  }

  /**
   * The stored value of a timestamp's text, a text without an offset being a time in {@code zoneIfNone} (a
   * property's {@code defaultTimezone}); throws {@link java.time.DateTimeException} for anything else.
   */
  public static OffsetDateTime parse(String text, ZoneId zoneIfNone) {
    return parse(text, zoneIfNone, null);
  }

  /**
   * The stored value of a timestamp's text: ISO-8601 as above, a date alone (the start of that day), or text in the
   * property's own {@code pattern} (its {@code format}, e.g. {@code dd/MM/yyyy HH:mm}; null when it has none).
   * A local time in a daylight-saving gap moves forward by the gap; one that occurs twice is the earlier instant.
   */
  public static OffsetDateTime parse(String text, ZoneId zoneIfNone, DateTimeFormatter pattern) {
    OffsetDateTime t = Rfc3339.parseUtc(text);
    if (t == null) {
      t = utc(readLeniently(text, pattern), zoneIfNone);
    }
    int nanos = t.getNano();
    return nanos % 1000 == 0 ? t : t.withNano(nanos - nanos % 1000);
  }

  private static final java.util.regex.Pattern DATE_ONLY = java.util.regex.Pattern.compile("\\d{4}-\\d{2}-\\d{2}");

  private static TemporalAccessor readLeniently(String text, DateTimeFormatter pattern) {
    if (DATE_ONLY.matcher(text).matches()) {
      return java.time.LocalDate.parse(text);
    }
    String iso = text.length() > 11 && text.charAt(10) == ' ' ? text.substring(0, 10) + 'T' + text.substring(11)
        : text;
    if (pattern == null) {
      return LENIENT.parseBest(iso, OffsetDateTime::from, LocalDateTime::from);
    }
    try {
      return LENIENT.parseBest(iso, OffsetDateTime::from, LocalDateTime::from);
    } catch (java.time.format.DateTimeParseException notIso) {
      // not ISO-8601: the contract's own pattern decides (and its exception says why not)
      return pattern.parseBest(text, OffsetDateTime::from, java.time.ZonedDateTime::from, LocalDateTime::from,
          java.time.LocalDate::from);
    }
  }

  private static OffsetDateTime utc(TemporalAccessor parsed, ZoneId zoneIfNone) {
    OffsetDateTime t;
    if (parsed instanceof OffsetDateTime offset) {
      t = offset;
    } else if (parsed instanceof java.time.ZonedDateTime zoned) {
      t = zoned.toOffsetDateTime();
    } else if (parsed instanceof LocalDateTime local) {
      t = local.atZone(zoneIfNone).toOffsetDateTime();
    } else {
      t = ((java.time.LocalDate) parsed).atStartOfDay(zoneIfNone).toOffsetDateTime();
    }
    return t.withOffsetSameInstant(ZoneOffset.UTC);
  }

  /**
   * A timestamp property's {@code format} as a pattern events write it in ({@code dd/MM/yyyy HH:mm}); null when
   * it is none (no year in it, or not a pattern: {@code date-time}, {@code iso}).
   */
  public static DateTimeFormatter pattern(String format) {
    if (!namesAYear(format)) {
      return null;
    }
    try {
      return strictPattern(format);
    } catch (IllegalArgumentException notAPattern) {
      return null; // documentation, such as "date-time": ISO-8601 is read
    }
  }

  /**
   * A contract's date, time or timestamp pattern as a strict formatter: no 31/02, names of months and AM/PM in any
   * case ({@code pm}, {@code PM}), in English whatever the machine's locale. Strict resolving needs the proleptic
   * year ({@code u}), not the year of era ({@code y}).
   *
   * @throws IllegalArgumentException when the format is no pattern
   */
  public static DateTimeFormatter strictPattern(String format) {
    return new java.time.format.DateTimeFormatterBuilder().parseCaseInsensitive()
        .appendPattern(format.replace('y', 'u')).toFormatter(java.util.Locale.ROOT)
        .withResolverStyle(java.time.format.ResolverStyle.STRICT);
  }

  /**
   * How one timestamp property's text is read: where a time without an offset is ({@code defaultTimezone}) and the
   * pattern events may write it in besides ISO-8601 ({@code format}). The decoder, the bounds, the routing key and
   * the evolution gate all read through it, so they agree on every value.
   */
  public record Reading(ZoneId zone, DateTimeFormatter pattern) {
    /** A property's reading; a zone that names none reads as UTC (lint refuses such a contract). */
    public static Reading of(io.lakemesh.contracts.model.TypeOptions options) {
      ZoneId zone;
      try {
        zone = Timestamps.zone(options.defaultTimezone());
      } catch (java.time.DateTimeException refusedByLint) {
        zone = ZoneOffset.UTC;
      }
      return new Reading(zone, Timestamps.pattern(options.format()));
    }

    /** The stored value of the text; throws {@link java.time.DateTimeException} for anything else. */
    public OffsetDateTime parse(String text) {
      return Timestamps.parse(text, zone, pattern);
    }
  }

  /** A property's {@code defaultTimezone}, UTC when it has none; throws {@link java.time.DateTimeException}. */
  public static ZoneId zone(String defaultTimezone) {
    // tzdata's fixed EST, MST and HST, which the JDK keeps only among its short ids (whose other entries, such as
    // IST or BST, name regions by guess: not accepted)
    return defaultTimezone == null ? ZoneOffset.UTC : ZoneId.of(defaultTimezone, FIXED_TZDATA);
  }

  private static final java.util.Map<String, String> FIXED_TZDATA = java.util.Map.of("EST", "-05:00", "MST",
      "-07:00", "HST", "-10:00");

  /** The stored value of a time of day's text ({@code HH:mm[:ss[.f]]}), cut to microseconds. */
  /**
   * A time property's {@code format} as a pattern events may write it in ({@code HHmm}, {@code h:mm a}); null when
   * it is none: absent, ISO's own forms, or not a pattern ({@code time}, {@code partial-time}), which is documentation.
   */
  public static DateTimeFormatter timePattern(String format) {
    if (format == null || java.util.List.of("HH:mm", "HH:mm:ss", "HH:mm:ss.SSS", "HH:mm:ss.SSSSSS", "iso", "time",
        "partial-time").contains(format) || !format.replaceAll("'[^']*'", "").matches(".*[Hhk].*")) {
      return null;
    }
    try {
      return strictPattern(format);
    } catch (IllegalArgumentException notAPattern) {
      return null;
    }
  }

  /**
   * Whether a timestamp {@code format} is meant as a pattern: it has a year letter outside quotes. One that does but
   * is no valid pattern ({@link #pattern} null) is one lint tells its author about.
   */
  public static boolean namesAYear(String format) {
    return format != null && format.replaceAll("'[^']*'", "").matches(".*[yu].*");
  }

  /** A time as ISO {@code HH:mm[:ss[.f]]}, else in {@code pattern} (when not null), cut to microseconds. */
  public static LocalTime parseTime(String text, DateTimeFormatter pattern) {
    try {
      return parseTime(text);
    } catch (java.time.DateTimeException notIso) {
      if (pattern == null) {
        throw notIso;
      }
      LocalTime t = LocalTime.parse(text, pattern);
      return t.withNano(t.getNano() - t.getNano() % 1000);
    }
  }

  public static LocalTime parseTime(String text) {
    LocalTime t = LocalTime.parse(text);
    int nanos = t.getNano();
    return nanos % 1000 == 0 ? t : t.withNano(nanos - nanos % 1000);
  }
}
