package io.lakemesh.runtime.serve;

import java.util.List;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.ExceptionHandler;
import org.apache.pekko.http.javadsl.server.MalformedRequestContentRejection;
import org.apache.pekko.http.javadsl.server.RejectionHandler;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.server.UnsupportedRequestEncodingRejection;
import org.apache.pekko.http.scaladsl.model.EntityStreamSizeException;
import org.apache.pekko.http.scaladsl.model.IllegalRequestException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a port answers when a route fails or rejects a request: always problem+json, never Pekko's text or a stack
 * trace. Both ports (the API and the operator's) use it, so an error reads the same wherever it happens.
 */
public final class ProblemHandlers extends AllDirectives {
  private static final Logger LOG = LoggerFactory.getLogger(ProblemHandlers.class);

  /**
   * On every request with a body (see {@code RequestLimits}): why its body stopped arriving, once it has. The one
   * sign of a stall the handlers trust: how reading a body fails differs by route (a compressed body's decoder calls
   * it corrupt, without the timeout among its causes), and a timeout elsewhere in a route is no stalled body.
   */
  @SuppressWarnings("unchecked")
  public static final org.apache.pekko.http.javadsl.model.AttributeKey<java.util.concurrent.atomic.AtomicReference<String>>
      BODY_STALLED = org.apache.pekko.http.javadsl.model.AttributeKey.create("lakemesh-body-stalled",
          (Class<java.util.concurrent.atomic.AtomicReference<String>>) (Class<?>)
              java.util.concurrent.atomic.AtomicReference.class);

  private final Supplier<Problem> tooLarge;

  /** @param tooLarge the 413 of this port, naming its body limit */
  public ProblemHandlers(Supplier<Problem> tooLarge) {
    this.tooLarge = tooLarge;
  }

  public Route around(Supplier<Route> inner) {
    return handleExceptions(exceptions(), () -> handleRejections(rejections(), () -> extractUri(uri ->
        // the HTTP layer reads percent-encoded bytes that are no UTF-8 (%FF, a lone %C3) as U+FFFD, which no path
        // of ours holds: without this, a 404 would name a resource the client never wrote
        java.util.stream.StreamSupport.stream(uri.pathSegments().spliterator(), false)
            .anyMatch(segment -> segment.indexOf('\uFFFD') >= 0)
            ? complete(new Problem(400, "bad-path", "Bad request", "the path is not UTF-8 text once percent-decoded:"
                + " percent-encode the UTF-8 bytes of each character (é is %C3%A9), not a lone byte such as %FF")
                .toResponse(null))
            : inner.get())));
  }

  /** A body that stopped arriving (a stalled upload, a client that sent its headers and hung). */
  public static Problem bodyStalled(String why) {
    return new Problem(408, "body-timeout", "Request timeout", "the request body stopped arriving (" + why
        + "); nothing of this request was taken: send it again");
  }

  /** Why the request's body stopped arriving, or null while it has not. */
  private static String stall(org.apache.pekko.http.javadsl.model.HttpRequest request) {
    return request.getAttribute(BODY_STALLED).map(java.util.concurrent.atomic.AtomicReference::get).orElse(null);
  }

  private ExceptionHandler exceptions() {
    return ExceptionHandler.newBuilder()
        .match(EntityStreamSizeException.class, e -> problem(tooLarge.get()))
        // what Pekko itself refuses while a route reads the request (toStrictEntity's deadline: 408)
        .match(IllegalRequestException.class, e -> problem(e.status().intValue() == 408
            ? bodyStalled("no part of it arrived in time")
            : new Problem(e.status().intValue(), "request-rejected", e.status().reason(), e.info().summary())))
        .matchAny(e -> extractRequest(request -> {
          if (stall(request) != null) {
            return problem(bodyStalled(stall(request)));
          }
          LOG.error("request failed", e);
          return problem(new Problem(500, "internal", "Internal error", "the request failed on the server"));
        }))
        .build();
  }

  private RejectionHandler rejections() {
    return RejectionHandler.newBuilder()
        .handle(UnsupportedRequestEncodingRejection.class, r -> problem(new Problem(415, "unsupported-encoding",
            "Unsupported media type", "Content-Encoding is gzip, deflate or identity (none); send the body in one of"
                + " them")))
        .handle(MalformedRequestContentRejection.class, r -> extractRequest(request -> {
          // reading the body failed: it stopped arriving, it was too large, or it was not what the route reads; a
          // compressed body that stops arriving fails inside the decoder, which calls it corrupt
          if (stall(request) != null) {
            return problem(bodyStalled(stall(request)));
          }
          if (r.getCause() instanceof EntityStreamSizeException) {
            return problem(tooLarge.get());
          }
          return problem(fromPekko(400, "Bad Request", "The request content was malformed: " + r.message()));
        }))
        .handleNotFound(extractUnmatchedPath(path -> complete(Problem.notFound("no such resource: " + path)
            .toResponse(path))))
        .build()
        .withFallback(RejectionHandler.defaultHandler())
        .mapRejectionResponse(this::asProblem);
  }

  /** Pekko's own answer to a rejection, as problem+json with the same status and headers. */
  private HttpResponse asProblem(HttpResponse response) {
    if (response.entity().getContentType().equals(Problem.PROBLEM_JSON)) {
      return response;
    }
    String text = response.entity() instanceof HttpEntity.Strict s
        ? s.getData().utf8String() : response.status().reason();
    HttpResponse problem = fromPekko(response.status().intValue(), response.status().reason(), text)
        .toResponse(null).withHeaders(response.getHeaders());
    return headAllowedWithGet(problem);
  }

  /** A 405's Allow lists HEAD beside GET: the server answers HEAD wherever it answers GET (RFC 9110 9.3.2). */
  private static HttpResponse headAllowedWithGet(HttpResponse response) {
    return response.getHeader("Allow").map(allow -> {
      List<String> methods = java.util.Arrays.stream(allow.value().split(",")).map(String::trim)
          .filter(m -> !m.isEmpty()).collect(java.util.stream.Collectors.toCollection(java.util.ArrayList::new));
      if (!methods.contains("GET") || methods.contains("HEAD")) {
        return response;
      }
      methods.add("HEAD");
      return response.removeHeader("Allow").addHeader(
          org.apache.pekko.http.javadsl.model.headers.RawHeader.create("Allow", String.join(", ", methods)));
    }).orElse(response);
  }

  private Problem fromPekko(int status, String reason, String text) {
    if (status == 413) {
      return tooLarge.get();
    }
    if (status == 400 && text.contains("encoding is corrupt")) {
      return new Problem(400, "corrupt-encoding", "Bad request", "the body is not valid for its Content-Encoding"
          + " (gzip or deflate): it is not compressed (the header was sent with a plain body), was cut off, or was"
          + " compressed twice");
    }
    return new Problem(status, "request-rejected", reason, text);
  }

  private Route problem(Problem problem) {
    return extractUri(uri -> complete(problem.toResponse(uri.path())));
  }
}
