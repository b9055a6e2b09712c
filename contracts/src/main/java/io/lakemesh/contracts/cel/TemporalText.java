package io.lakemesh.contracts.cel;

import io.lakemesh.contracts.model.Field;
import io.lakemesh.contracts.model.LogicalType;
import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;

/**
 * Dates and times as CEL sees them: text, as the rows API writes them ({@code 2026-09-01}, {@code 10:15:00},
 * {@code 10:15:00.5}). ISO text of one length compares as the values do, so CEL's string comparisons order them
 * right; {@link LocalTime#toString()} would drop zero seconds ({@code 10:15}) and pad fractions.
 */
public final class TemporalText {
  private TemporalText() {}

  /** The text of a date or time value. */
  public static String of(Object value) {
    return value instanceof LocalTime t ? DateTimeFormatter.ISO_LOCAL_TIME.format(t) : value.toString();
  }

  /** Why {@code literal} cannot be compared with the date or time {@code column}, or null when it can. */
  static String problem(Field column, String literal) {
    boolean date = column.type() == LogicalType.DATE;
    String canonical;
    try {
      // times are stored to the microsecond, so a literal with nanoseconds would equal no stored value
      canonical = of(date ? LocalDate.parse(literal)
          : io.lakemesh.contracts.validate.Timestamps.parseTime(literal));
    } catch (DateTimeException e) {
      canonical = null;
    }
    if (literal.equals(canonical) && (!date || (literal.length() == 10 && literal.charAt(0) != '-'))) {
      return null;
    }
    if (literal.equals(canonical)) { // "+12026-01-01" or "-0001-01-01": as text it sorts among the wrong years
      return "'" + literal + "' is outside the years 0000-9999, which are the dates that compare as text";
    }
    String form = date ? "a date (yyyy-MM-dd" : "a time (HH:mm:ss, with a fraction of up to 6 digits when it has one";
    return "'" + literal + "' is not " + form + ") as '" + column.name() + "' holds it, so it would compare as text"
        + (canonical != null ? ": write \"" + canonical + "\"" : "");
  }

  private static final java.util.regex.Pattern DURATION =
      java.util.regex.Pattern.compile("-?([0-9]+(\\.[0-9]+)?(h|m|s|ms|us|ns))+|0");

  /**
   * Whether this text could be what CEL's {@code timestamp()} reads: a date, a time and an offset. Lenient on
   * purpose (no seconds, lower case): only text that cannot be a timestamp at all is refused before evaluation.
   */
  static boolean isTimestamp(String text) {
    try {
      java.time.OffsetDateTime.parse(text.toUpperCase(java.util.Locale.ROOT));
      return true;
    } catch (DateTimeException e) {
      return false;
    }
  }

  /** Whether CEL's {@code duration()} reads this text: a sequence of numbers with units ({@code 1h30m}). */
  static boolean isDuration(String text) {
    return DURATION.matcher(text).matches();
  }
}
