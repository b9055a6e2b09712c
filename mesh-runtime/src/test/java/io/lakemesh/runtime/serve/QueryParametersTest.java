package io.lakemesh.runtime.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class QueryParametersTest {
  private static final List<String> ROWS = List.of("filter", "select", "limit");

  @Test
  void knownParametersGivenOncePass() {
    assertEquals(Optional.empty(), QueryParameters.problem(Map.of("filter", List.of("a > 1"), "limit",
        List.of("5")), ROWS));
    assertEquals(Optional.empty(), QueryParameters.problem(Map.of(), List.of()));
  }

  @Test
  void aTypoARepeatOrAnUnescapedAmpersandIsRefused() {
    assertEquals(Optional.of("unknown query parameter 'fitler'; this endpoint takes filter, select, limit"),
        QueryParameters.problem(Map.of("fitler", List.of("x")), ROWS));
    assertEquals(Optional.of("unknown query parameter 'form'; this endpoint takes from"),
        QueryParameters.problem(Map.of("form", List.of("2030-01-01T00:00:00Z")), List.of("from")));
    assertEquals(Optional.of("unknown query parameter 'x'; this endpoint takes none"),
        QueryParameters.problem(Map.of("x", List.of("1")), List.of()));
    assertEquals(Optional.of("query parameter 'limit' is given 2 times; give it once"),
        QueryParameters.problem(Map.of("limit", List.of("1", "2")), ROWS));
    // filter=a && b=1 unescaped: the query splits at '&' into "filter=a ", "" and " b=1"
    assertTrue(QueryParameters.problem(Map.of("filter", List.of("a "), "", List.of("")), ROWS).orElseThrow()
        .contains("%26"));
  }

  @Test
  void percentEncodedBytesMustBeUtf8() {
    assertEquals(Optional.empty(), QueryParameters.notUtf8(Optional.of("filter=name%20==%20%22%C3%A9%22&limit=5")));
    assertEquals(Optional.empty(), QueryParameters.notUtf8(Optional.of("filter=a%2")), "no escape: left to Pekko");
    assertEquals(Optional.empty(), QueryParameters.notUtf8(Optional.empty()));
    for (String bad : List.of("limit=5&filter=x%20==%20%22%FF%FE%22", "filter=%C3", "filter=%C0%A2")) {
      assertTrue(QueryParameters.notUtf8(Optional.of(bad)).orElseThrow()
          .startsWith("query parameter 'filter' is not UTF-8 text once percent-decoded"), bad);
    }
  }
}
