package io.lakemesh.contracts.sla;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** Reads an SLA value and unit as a duration, and writes durations the way people read them. */
final class SlaDurations {
  /** Units by every name we accept, in nanoseconds. Months and years are not fixed durations: refused. */
  private static final Map<String, Long> UNITS = Map.ofEntries(
      Map.entry("ms", 1_000_000L), Map.entry("millisecond", 1_000_000L), Map.entry("milliseconds", 1_000_000L),
      Map.entry("s", 1_000_000_000L), Map.entry("sec", 1_000_000_000L), Map.entry("secs", 1_000_000_000L),
      Map.entry("second", 1_000_000_000L), Map.entry("seconds", 1_000_000_000L),
      Map.entry("m", 60_000_000_000L), Map.entry("min", 60_000_000_000L), Map.entry("mins", 60_000_000_000L),
      Map.entry("minute", 60_000_000_000L), Map.entry("minutes", 60_000_000_000L),
      Map.entry("h", 3_600_000_000_000L), Map.entry("hr", 3_600_000_000_000L), Map.entry("hrs", 3_600_000_000_000L),
      Map.entry("hour", 3_600_000_000_000L), Map.entry("hours", 3_600_000_000_000L),
      Map.entry("d", 86_400_000_000_000L), Map.entry("day", 86_400_000_000_000L),
      Map.entry("days", 86_400_000_000_000L),
      Map.entry("w", 604_800_000_000_000L), Map.entry("week", 604_800_000_000_000L),
      Map.entry("weeks", 604_800_000_000_000L));
  private static final BigDecimal LONGEST = BigDecimal.valueOf(Long.MAX_VALUE);
  private static final BigDecimal SHORTEST = new BigDecimal("1e-12");
  static final String KNOWN = "ms, s, m or min, h, d, w, or names such as seconds, day, days";

  private SlaDurations() {}

  /** The unit's length; empty when it is not a unit of a fixed length we know. */
  static Optional<Long> nanosPerUnit(String unit) {
    if (unit.equals("M")) {
      return Optional.empty(); // ISO's month, not minutes: refused rather than guessed
    }
    return Optional.ofNullable(UNITS.get(unit.trim().toLowerCase(Locale.ROOT)));
  }

  /** A number of units as a duration, rounded to the nanosecond; empty when it does not fit a Duration. */
  static Optional<Duration> of(BigDecimal amount, long nanosPerUnit) {
    // bounded before any arithmetic: 1e999999999 must not turn into a billion-digit number
    if (amount.abs().compareTo(LONGEST) > 0) {
      return Optional.empty();
    }
    if (amount.abs().compareTo(SHORTEST) < 0) {
      return Optional.of(Duration.ZERO);
    }
    BigInteger nanos = amount.multiply(BigDecimal.valueOf(nanosPerUnit)).setScale(0, RoundingMode.HALF_UP)
        .toBigIntegerExact();
    BigInteger[] secondsAndNanos = nanos.divideAndRemainder(BigInteger.valueOf(1_000_000_000L));
    if (secondsAndNanos[0].bitLength() >= 63) {
      return Optional.empty();
    }
    return Optional.of(Duration.ofSeconds(secondsAndNanos[0].longValue(), secondsAndNanos[1].longValue()));
  }

  /** An ISO-8601 duration such as {@code PT5M}, for SLA values given without a unit. */
  static Optional<Duration> iso(String text) {
    try {
      return Optional.of(Duration.parse(text.trim()));
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }

  /** E.g. {@code 250ms}, {@code 42s}, {@code 3m 5s}, {@code 2h}, {@code 1d 4h}. */
  static String format(Duration d) {
    if (d.isNegative()) {
      return "-" + format(d.negated());
    }
    if (d.compareTo(Duration.ofSeconds(1)) < 0) {
      return d.toMillis() + "ms";
    }
    if (d.compareTo(Duration.ofMinutes(1)) < 0 && d.toMillisPart() != 0) {
      // 1.5s, not 1s: an objective of 1500 ms and the arithmetic of a breach must read as they are
      return java.math.BigDecimal.valueOf(d.toMillis(), 3).stripTrailingZeros().toPlainString() + "s";
    }
    StringBuilder out = new StringBuilder();
    append(out, d.toDays(), "d");
    append(out, d.toHoursPart(), "h");
    append(out, d.toMinutesPart(), "m");
    append(out, d.toSecondsPart(), "s");
    return out.toString();
  }

  private static void append(StringBuilder out, long amount, String unit) {
    if (amount > 0) {
      out.append(out.isEmpty() ? "" : " ").append(amount).append(unit);
    }
  }
}
