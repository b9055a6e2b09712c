package io.lakemesh.runtime.security.limits;

import com.typesafe.config.Config;
import io.lakemesh.runtime.serve.Problem;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.AttributeKeys;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.RemoteAddress;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * Abuse limits applied around the API: a per-caller rate limit (429 + Retry-After) and a problem+json answer when
 * a request outlives {@code pekko.http.server.request-timeout} (a slow handler), and a deadline on bodies that stop
 * arriving: the server's request timeout only starts once a body is read, so a client that sends its headers and
 * then stalls would otherwise hold a route until the connection's idle timeout closed it without an answer. Sizes
 * of URIs, headers and bodies, connection counts and idle clients are limited by the HTTP server itself (see {@code
 * reference.conf}).
 *
 * <p>The caller key is the principal when there is one, the client's IP address otherwise (the address of the
 * TCP peer, not a forwarded-for header a client could forge).
 */
public final class RequestLimits extends AllDirectives {
  /** Health probes (a {@code GET} without a query, as probes send): never rate limited. */
  private static final java.util.Set<String> PROBES = java.util.Set.of("/alive", "/ready");

  private final RateLimiter limiter;
  private final Function<HttpRequest, String> principal;
  private final String anonymous;
  private final java.time.Duration bodyIdle;

  /**
   * @param principal who sent a request, or {@code anonymous} when nobody is authenticated (then the client IP
   *                  is the key)
   */
  public RequestLimits(RateLimiter limiter, Function<HttpRequest, String> principal, String anonymous,
      java.time.Duration bodyIdle) {
    this.bodyIdle = bodyIdle;
    this.limiter = limiter;
    this.principal = principal;
    this.anonymous = anonymous;
  }

  public static RequestLimits from(Config limits, Function<HttpRequest, String> principal, String anonymous) {
    return new RequestLimits(new RateLimiter(limits.getDouble("requests-per-second"), limits.getInt("burst")),
        principal, anonymous, limits.getDuration("body-idle-timeout"));
  }

  public Route around(Supplier<Route> inner) {
    return withRequestTimeoutResponse(request -> new Problem(503, "request-timeout", "Service unavailable",
            "the request took longer than the server's limit; " + (request.method().value().equals("GET")
                ? "narrow it (filter, limit) or retry later"
                : "retry it later (a re-sent event counts once)")).toResponse(request.getUri().path()),
        () -> mapRequest(this::withBodyDeadline, () -> extractRequest(request -> {
          if (request.method().value().equals("GET") && PROBES.contains(request.getUri().path())
              && request.getUri().rawQueryString().isEmpty()) {
            // health probes come from a load balancer or kubelet, whose address anonymous clients may share
            // behind it: a flood of junk must not make the node look down (they read in-memory state only). The
            // Prometheus scrape is limited as any request: it reads every product's tables, and a scraper asks
            // far below the limit
            return inner.get();
          }
          RateLimiter.Decision decision = limiter.acquire(keyOf(request));
          if (decision.allowed()) {
            return inner.get();
          }
          return complete(new Problem(429, "rate-limited", "Too many requests",
              "this client sent more requests than its limit allows; retry after " + decision.retryAfterSeconds()
                  + " s").toResponse(request.getUri().path(), decision.retryAfterSeconds()));
        })));
  }

  /**
   * The request with a body that fails once no part of it has arrived for {@code body-idle-timeout}, marked so
   * ({@code ProblemHandlers.BODY_STALLED}); the ports answer that with a 408 problem. A slow but steady upload is
   * never cut off.
   */
  private HttpRequest withBodyDeadline(HttpRequest request) {
    org.apache.pekko.http.javadsl.model.RequestEntity entity = request.entity();
    if (entity.isStrict() || entity.isKnownEmpty()) {
      return request;
    }
    long seconds = bodyIdle.toSeconds();
    java.util.concurrent.atomic.AtomicReference<String> stalled = new java.util.concurrent.atomic.AtomicReference<>();
    org.apache.pekko.stream.javadsl.Source<org.apache.pekko.util.ByteString, Object> bytes = entity.getDataBytes()
        .idleTimeout(bodyIdle)
        .mapError(java.util.concurrent.TimeoutException.class, e -> {
          stalled.set("no part of the body arrived for " + (seconds > 0 ? seconds + " s" : bodyIdle.toMillis()
              + " ms"));
          return e;
        });
    java.util.OptionalLong length = entity.getContentLengthOption();
    return request.withEntity(length.isPresent()
        ? org.apache.pekko.http.javadsl.model.HttpEntities.create(entity.getContentType(), length.getAsLong(), bytes)
        : org.apache.pekko.http.javadsl.model.HttpEntities.createChunked(entity.getContentType(), bytes))
        .addAttribute(io.lakemesh.runtime.serve.ProblemHandlers.BODY_STALLED, stalled);
  }

  String keyOf(HttpRequest request) {
    String who = principal.apply(request);
    if (who != null && !who.equals(anonymous)) {
      return "principal:" + who;
    }
    return "ip:" + request.getAttribute(AttributeKeys.remoteAddress)
        .flatMap(RemoteAddress::getAddress)
        .map(java.net.InetAddress::getHostAddress)
        .orElse("unknown");
  }
}
