package io.lakemesh.runtime.serve;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * Query parameters checked before an endpoint acts on them: an unknown name (a misspelt {@code fitler} or
 * {@code form}) or a name given twice is a 400, never silently ignored. A typo must not turn a narrow read or a
 * replay from a point into one over everything.
 */
final class QueryParameters extends AllDirectives {
  private static final QueryParameters DIRECTIVES = new QueryParameters();

  private QueryParameters() {}

  /** What is wrong with the parameters, in one sentence; empty when each is known and given once. */
  static Optional<String> problem(Map<String, List<String>> given, List<String> known) {
    for (Map.Entry<String, List<String>> p : given.entrySet()) {
      String name = p.getKey();
      if (name.isEmpty() || name.isBlank()) {
        return Optional.of("an empty query parameter name: a '&' inside a value must be escaped as %26 (e.g."
            + " filter=a%20%26%26%20b)");
      }
      if (!known.contains(name)) {
        return Optional.of("unknown query parameter '" + name + "'; this endpoint takes "
            + (known.isEmpty() ? "none" : String.join(", ", known)));
      }
      if (p.getValue().size() > 1) {
        return Optional.of("query parameter '" + name + "' is given " + p.getValue().size() + " times; give it once");
      }
    }
    return Optional.empty();
  }

  /**
   * Runs {@code inner} with the parameters by name when they pass {@link #problem}, else answers 400 problem+json
   * for {@code instance}.
   */
  static Route checked(String instance, List<String> known, Function<Map<String, String>, Route> inner) {
    return DIRECTIVES.extractUri(uri -> DIRECTIVES.parameterMultiMap(multi -> notUtf8(uri.rawQueryString())
        .or(() -> problem(multi, known))
        .map(message -> DIRECTIVES.complete(Problem.badRequest("bad-parameter", message).toResponse(instance)))
        .orElseGet(() -> DIRECTIVES.parameterMap(inner))));
  }

  /**
   * A parameter whose percent-encoded bytes are no UTF-8 ({@code %FF}, a lone {@code %C3}): the HTTP layer would
   * read them as U+FFFD and the endpoint would answer a filter the client never wrote.
   */
  static Optional<String> notUtf8(Optional<String> rawQuery) {
    if (rawQuery.isEmpty() || rawQuery.get().indexOf('%') < 0) {
      return Optional.empty();
    }
    for (String part : rawQuery.get().split("&")) {
      java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream(part.length());
      for (int i = 0; i < part.length(); i++) {
        char c = part.charAt(i);
        if (c == '%' && i + 2 < part.length() && Character.digit(part.charAt(i + 1), 16) >= 0
            && Character.digit(part.charAt(i + 2), 16) >= 0) {
          bytes.write(Integer.parseInt(part, i + 1, i + 3, 16));
          i += 2;
        } else {
          bytes.writeBytes(String.valueOf(c).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
      }
      try {
        java.nio.charset.StandardCharsets.UTF_8.newDecoder()
            .decode(java.nio.ByteBuffer.wrap(bytes.toByteArray()));
      } catch (java.nio.charset.CharacterCodingException e) {
        String name = part.contains("=") ? part.substring(0, part.indexOf('=')) : part;
        return Optional.of("query parameter '" + name + "' is not UTF-8 text once percent-decoded: percent-encode"
            + " the UTF-8 bytes of each character (é is %C3%A9), not a lone byte such as %FF or %E9");
      }
    }
    return Optional.empty();
  }
}
