package io.lakemesh.contracts.validate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

/** The hand-written timestamp reader agrees with the JDK's, value for value, and gives up on the rest. */
class Rfc3339PropertyTest {

  /** What the validator did before the fast path: the JDK's ISO parsers. */
  private static OffsetDateTime jdk(String text) {
    try {
      return OffsetDateTime.parse(text).withOffsetSameInstant(ZoneOffset.UTC);
    } catch (DateTimeException e) {
      return LocalDateTime.parse(text).atOffset(ZoneOffset.UTC);
    }
  }

  @Provide
  Arbitrary<String> wellFormed() {
    Arbitrary<Instant> instants = Arbitraries.longs()
        .between(Instant.parse("0000-01-01T00:00:00Z").getEpochSecond(),
            Instant.parse("9999-12-31T23:59:59Z").getEpochSecond())
        .flatMap(seconds -> Arbitraries.of(0, 1_000_000, 123_000_000, 999_999_999, 500, 1)
            .map(nanos -> Instant.ofEpochSecond(seconds, nanos)));
    Arbitrary<ZoneOffset> offsets = Arbitraries.integers().between(-18 * 60, 18 * 60)
        .map(minutes -> ZoneOffset.ofTotalSeconds(minutes * 60));
    return Combinators.combine(instants, offsets).as((instant, offset) ->
        instant.atOffset(offset).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
  }

  @Property(tries = 2000)
  void readsWhatTheJdkReadsAsTheSameInstant(@ForAll("wellFormed") String text) {
    OffsetDateTime fast = Rfc3339.parseUtc(text);
    Statistics.label("fast path").collect(fast != null);
    if (fast != null) {
      assertEquals(jdk(text), fast, text);
    }
  }

  @Provide
  Arbitrary<String> nearlyWellFormed() {
    // one character of a well-formed timestamp replaced, inserted or dropped
    Arbitrary<Character> chars = Arbitraries.of('0', '1', '2', '3', '5', '9', 'T', 't', 'Z', 'z', ':', '-', '+', '.',
        ' ', '6', '4');
    return Combinators.combine(wellFormed(), Arbitraries.integers().between(0, 40), chars,
            Arbitraries.integers().between(0, 2))
        .as((text, at, c, how) -> {
          int i = Math.min(at, text.length() - 1);
          return switch (how) {
            case 0 -> text.substring(0, i) + c + text.substring(i + 1);
            case 1 -> text.substring(0, i) + c + text.substring(i);
            default -> text.substring(0, i) + text.substring(i + 1);
          };
        });
  }

  @Property(tries = 5000)
  void acceptsNothingTheJdkRejects(@ForAll("nearlyWellFormed") String text) {
    OffsetDateTime fast = Rfc3339.parseUtc(text);
    OffsetDateTime slow;
    try {
      slow = jdk(text);
    } catch (DateTimeException e) {
      slow = null;
    }
    Statistics.label("fast / jdk").collect((fast != null ? "fast" : "-") + " / " + (slow != null ? "jdk" : "-"));
    if (fast != null) {
      if (slow == null) {
        fail("'" + text + "' is read as " + fast + " but the JDK rejects it");
      }
      assertEquals(slow, fast, text);
    }
  }

  @Property(tries = 200)
  void theCommonFormsTakeTheFastPath(@ForAll("wellFormed") String text) {
    // ISO_OFFSET_DATE_TIME omits zero seconds ("10:15Z"): only the forms with seconds are expected here
    if (text.length() > 16 && text.charAt(16) == ':' && text.startsWith("-") == false) {
      assertNotNull(Rfc3339.parseUtc(text), text);
    }
  }
}
