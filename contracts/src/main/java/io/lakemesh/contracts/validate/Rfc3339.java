package io.lakemesh.contracts.validate;

import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * Reads the timestamp form nearly every event uses, {@code 2026-11-25T08:15:30.123Z} or with a {@code +08:00}
 * offset, by hand: {@link OffsetDateTime#parse} takes about 1.7 µs, most of a row's decoding time. Anything else
 * (lower-case letters, no seconds, offsets with seconds, no offset) is left to the JDK parser, so the accepted forms
 * and their values are the JDK's; this only gets there sooner.
 */
final class Rfc3339 {

  private Rfc3339() {}

  /**
   * The instant as UTC, or null when the text is not in the strict form {@code yyyy-MM-ddTHH:mm:ss[.f{1,9}]} then
   * {@code Z} or {@code ±HH:mm}, or names no such date or time (the JDK parser then decides and explains).
   */
  static OffsetDateTime parseUtc(String s) {
    int n = s.length();
    if (n < 20 || s.charAt(4) != '-' || s.charAt(7) != '-' || s.charAt(10) != 'T' || s.charAt(13) != ':'
        || s.charAt(16) != ':') {
      return null;
    }
    int year = digits(s, 0, 4);
    int month = digits(s, 5, 2);
    int day = digits(s, 8, 2);
    int hour = digits(s, 11, 2);
    int minute = digits(s, 14, 2);
    int second = digits(s, 17, 2);
    if ((year | month | day | hour | minute | second) < 0) {
      return null;
    }
    int i = 19;
    int nanos = 0;
    if (s.charAt(i) == '.') {
      int start = ++i;
      while (i < n && i - start < 9 && isDigit(s.charAt(i))) {
        nanos = nanos * 10 + (s.charAt(i) - '0');
        i++;
      }
      int count = i - start;
      if (count == 0 || (i < n && isDigit(s.charAt(i)))) {
        return null;
      }
      for (int k = count; k < 9; k++) {
        nanos *= 10;
      }
    }
    int offsetSeconds;
    if (i == n - 1 && s.charAt(i) == 'Z') {
      offsetSeconds = 0;
    } else if (i == n - 6 && (s.charAt(i) == '+' || s.charAt(i) == '-') && s.charAt(i + 3) == ':') {
      int oh = digits(s, i + 1, 2);
      int om = digits(s, i + 4, 2);
      if (oh < 0 || om < 0 || oh > 18 || om > 59 || (oh == 18 && om > 0)) {
        return null;
      }
      offsetSeconds = (s.charAt(i) == '-' ? -1 : 1) * (oh * 3600 + om * 60);
    } else {
      return null;
    }
    if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59
        || day > LocalDate.of(year, month, 1).lengthOfMonth()) {
      return null;
    }
    LocalDateTime local = LocalDateTime.of(year, month, day, hour, minute, second, nanos);
    if (offsetSeconds == 0) {
      return OffsetDateTime.of(local, ZoneOffset.UTC);
    }
    return OffsetDateTime.of(local, ZoneOffset.ofTotalSeconds(offsetSeconds)).withOffsetSameInstant(ZoneOffset.UTC);
  }

  /** The non-negative number of {@code count} ASCII digits at {@code from}, or -1. */
  private static int digits(String s, int from, int count) {
    int v = 0;
    for (int k = from; k < from + count; k++) {
      char c = s.charAt(k);
      if (!isDigit(c)) {
        return -1;
      }
      v = v * 10 + (c - '0');
    }
    return v;
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }
}
