package io.lakemesh.runtime.serve;

import com.typesafe.config.Config;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.function.Supplier;
import org.apache.pekko.http.cors.javadsl.CorsDirectives;
import org.apache.pekko.http.cors.javadsl.CorsRejection;
import org.apache.pekko.http.cors.javadsl.model.HttpHeaderRanges;
import org.apache.pekko.http.cors.javadsl.model.HttpOriginMatcher;
import org.apache.pekko.http.cors.javadsl.settings.CorsSettings;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.headers.HttpOrigin;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.RejectionHandler;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * Which browser pages served from another origin (a dashboard on its own host) may call the API
 * ({@code lakemesh.http.cors.allowed-origins}); none by default. The browser asks first (a preflight OPTIONS, which
 * needs no credential) and then sends the token or API key itself, so no cookie is involved and
 * {@code Access-Control-Allow-Credentials} is never sent. A request from an origin not listed is a 403 problem; one
 * without an {@code Origin} (curl, a server, a same-origin GET) is not affected.
 */
public final class CrossOrigin extends AllDirectives {

  /** Headers a page's script may read besides the simple ones: paging, back-off and the auth challenge. */
  private static final List<String> EXPOSED = List.of("Link", "Retry-After", "WWW-Authenticate",
      "Content-Disposition", "Location");

  private final List<String> origins;
  private final CorsSettings settings;

  private CrossOrigin(List<String> origins, CorsSettings settings) {
    this.origins = origins;
    this.settings = settings;
  }

  /**
   * From {@code lakemesh.http.cors}: origins separated by spaces or commas, each {@code scheme://host[:port]}
   * ({@code https://*.example.com} for any subdomain), or {@code *} for any origin.
   *
   * @throws IllegalArgumentException naming the entry that is no origin
   */
  public static CrossOrigin from(Config cors) {
    List<String> origins = new ArrayList<>();
    for (String entry : cors.getString("allowed-origins").trim().split("[\\s,]+")) {
      if (!entry.isEmpty()) {
        origins.add(checked(entry));
      }
    }
    if (origins.isEmpty()) {
      return new CrossOrigin(List.of(), null);
    }
    HttpOriginMatcher matcher = origins.contains("*") ? HttpOriginMatcher.ALL
        : HttpOriginMatcher.create(origins.stream().map(HttpOrigin::parse).toArray(HttpOrigin[]::new));
    CorsSettings settings = CorsSettings.defaultSettings()
        .withAllowedOrigins(matcher)
        .withAllowCredentials(false)
        .withAllowGenericHttpRequests(true)
        .withAllowedHeaders(HttpHeaderRanges.ALL)
        .withAllowedMethods(List.of(HttpMethods.GET, HttpMethods.HEAD, HttpMethods.POST, HttpMethods.DELETE,
            HttpMethods.OPTIONS))
        .withExposedHeaders(EXPOSED)
        .withMaxAge(OptionalLong.of(cors.getDuration("max-age").toSeconds()));
    return new CrossOrigin(List.copyOf(origins), settings);
  }

  private static String checked(String entry) {
    if (entry.equals("*")) {
      return entry;
    }
    String origin = entry.endsWith("/") ? entry.substring(0, entry.length() - 1) : entry;
    String lower = origin.toLowerCase(Locale.ROOT);
    boolean schemeOk = lower.startsWith("https://") || lower.startsWith("http://");
    String rest = schemeOk ? origin.substring(origin.indexOf("://") + 3) : "";
    if (!schemeOk || rest.isEmpty() || rest.contains("/") || rest.contains("?") || rest.contains("#")) {
      throw new IllegalArgumentException("lakemesh.http.cors.allowed-origins: '" + entry + "' is no origin: write"
          + " scheme://host[:port] as a browser sends it (https://dash.example.com, http://localhost:3000),"
          + " https://*.example.com for its subdomains, or * for any");
    }
    try {
      HttpOrigin.parse(origin);
    } catch (RuntimeException e) {
      // the parser's message runs to several lines (a caret under the column): its first says what
      throw new IllegalArgumentException("lakemesh.http.cors.allowed-origins: '" + entry + "' is no origin ("
          + String.valueOf(e.getMessage()).lines().findFirst().orElse("") + "): write scheme://host[:port]");
    }
    return origin;
  }

  /** The origins allowed, as configured; empty when cross-origin calls are off. */
  public List<String> origins() {
    return origins;
  }

  /** The inner route, answering preflights and adding the CORS headers when any origin is allowed. */
  public Route around(Supplier<Route> inner) {
    if (settings == null) {
      return inner.get();
    }
    Route cors = handleRejections(refusals(), () -> CorsDirectives.cors(settings, inner));
    // the answer names the caller's origin, so a cache must keep one per origin (with * it is the same for all)
    return origins.contains("*") ? cors : mapResponseHeaders(CrossOrigin::varyByOrigin, () -> cors);
  }

  private static List<HttpHeader> varyByOrigin(Iterable<HttpHeader> headers) {
    List<HttpHeader> out = new ArrayList<>();
    String vary = null;
    for (HttpHeader h : headers) {
      if (h.is("vary")) {
        vary = vary == null ? h.value() : vary + ", " + h.value();
      } else {
        out.add(h);
      }
    }
    out.add(RawHeader.create("Vary", vary == null ? "Origin" : vary + ", Origin"));
    return out;
  }

  private RejectionHandler refusals() {
    return RejectionHandler.newBuilder()
        .handle(CorsRejection.class, r -> complete(new Problem(403, "cors-refused", "Forbidden",
            "cross-origin request refused: " + r.cause().description()
                + (r.cause() instanceof CorsRejection.InvalidOrigin
                    ? " (the origins a page may call from are set by lakemesh.http.cors.allowed-origins)"
                    : " (a page may use GET, HEAD, POST, DELETE and OPTIONS)"))
            .toResponse(null)))
        .build();
  }
}
