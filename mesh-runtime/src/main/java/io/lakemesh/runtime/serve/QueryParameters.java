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
    return DIRECTIVES.parameterMultiMap(multi -> problem(multi, known)
        .map(message -> DIRECTIVES.complete(Problem.badRequest("bad-parameter", message).toResponse(instance)))
        .orElseGet(() -> DIRECTIVES.parameterMap(inner)));
  }
}
