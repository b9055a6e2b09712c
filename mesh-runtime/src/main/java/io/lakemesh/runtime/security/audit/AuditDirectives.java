package io.lakemesh.runtime.security.audit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.lakemesh.runtime.serve.Problem;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP side of the audit trail: {@link #around} records every 4xx answer of the routes it wraps as a denial,
 * the API records reads and ingests through {@link #read} and {@link #ingest}, and {@link #newestEntries} serves
 * {@code GET /api/v1/audit?limit=N}.
 *
 * <p>Who acted comes from the {@code principal} function: {@code anonymous} until authentication provides it
 * (the hook: pass a function that reads the verified principal from the request).
 */
public final class AuditDirectives extends AllDirectives {
  private static final Logger LOG = LoggerFactory.getLogger(AuditDirectives.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  public static final String ANONYMOUS = "anonymous";
  private static final int MAX_LIMIT = 10_000;

  /** At most one entry per caller in this interval for requests refused by the rate limit. */
  private static final java.time.Duration RATE_LIMITED_EVERY = java.time.Duration.ofSeconds(10);

  private final AuditLog log;
  /** When each caller's last 429 was recorded (nanoTime). */
  private final java.util.concurrent.ConcurrentHashMap<String, Long> rateLimited =
      new java.util.concurrent.ConcurrentHashMap<>();
  private final Function<HttpRequest, String> principal;

  /**
   * @param log       the trail; null records nothing (tests, tools)
   * @param principal who sent a request
   */
  public AuditDirectives(AuditLog log, Function<HttpRequest, String> principal) {
    this.log = log;
    this.principal = principal;
  }

  /** Records nothing: for routes built without an audit trail. */
  public static AuditDirectives none() {
    return new AuditDirectives(null, r -> ANONYMOUS);
  }

  /** The subject a route authenticated a request as (set by the route), read first by {@link #principalOf}. */
  public static final org.apache.pekko.http.javadsl.model.AttributeKey<String> CALLER =
      org.apache.pekko.http.javadsl.model.AttributeKey.create("lakemesh-caller", String.class);

  /** Who sent a request: as its route authenticated it, else as its credentials name now. */
  public String principalOf(HttpRequest request) {
    return request.getAttribute(CALLER).orElseGet(() -> principal.apply(request));
  }

  /** Wraps routes so that every 4xx they answer is recorded as a denial (status, method, path). */
  public Route around(Supplier<Route> inner) {
    if (log == null) {
      return inner.get();
    }
    return extractRequest(request -> mapResponse(response -> {
      int status = response.status().intValue();
      if (status >= 400 && status < 500) {
        String path = request.getUri().path();
        try {
          String who = principalOf(request);
          if (status == 429) {
            // a flood refused by the rate limit would otherwise fill the trail (800 entries a second from one
            // client) and push everything else out of the audit API's reach: one entry per caller and interval
            long now = System.nanoTime();
            boolean[] first = {false};
            // one atomic step: concurrent 429s of one caller record one entry, not one each
            rateLimited.compute(who, (caller, last) -> {
              if (last != null && now - last < RATE_LIMITED_EVERY.toNanos()) {
                return last;
              }
              first[0] = true;
              return now;
            });
            if (!first[0]) {
              return response;
            }
            log.record(new AuditEvent(who, AuditEvent.Action.DENIED, productOf(path), request.method().value() + " "
                + path + " (further 429s of this caller within " + RATE_LIMITED_EVERY.toSeconds()
                + " s are not recorded)", "429"));
            return response;
          }
          log.record(AuditEvent.denied(who, productOf(path), request.method().value(), path, status));
        } catch (AuditLog.AuditUnavailableException e) {
          // the answer is a refusal anyway; the failure to record it must not pass unnoticed
          LOG.error("denial not audited ({} {} {}): {}", status, request.method().value(), path, e.getMessage());
        }
      }
      return response;
    }, inner));
  }

  /**
   * Records a read; throws {@link AuditLog.AuditUnavailableException} when the trail cannot take it, so the
   * rows are not served unrecorded.
   */
  public void read(HttpRequest request, String product, String filter, int rows) {
    if (log != null) {
      log.record(AuditEvent.read(principalOf(request), product, filter, rows));
    }
  }

  /** Records a read of a product's quarantine. */
  public void readQuarantine(HttpRequest request, String product, int rows) {
    if (log != null) {
      log.record(new AuditEvent(principalOf(request), AuditEvent.Action.READ, product,
          "quarantine; rows=" + rows, "ok"));
    }
  }

  /** Records an admin action done (API keys, operator actions). */
  public void admin(HttpRequest request, String detail) {
    admin(request, detail, "ok");
  }

  /** Records an admin action with its outcome: {@code requested} before it runs, then {@code ok} or a status. */
  public void admin(HttpRequest request, String detail, String outcome) {
    if (log != null) {
      // a product's own action (pause, resume, replay on the management port) names it, as reads and ingests do
      log.record(new AuditEvent(principalOf(request), AuditEvent.Action.ADMIN, productOf(request.getUri().path()),
          detail, outcome));
    }
  }

  /** Records a subscription to a product's live stream: a read of every change to come (and of its replay). */
  public void subscribe(HttpRequest request, String product, String filter, String from) {
    if (log != null) {
      log.record(new AuditEvent(principalOf(request), AuditEvent.Action.READ, product, "stream; filter="
          + (filter == null ? "" : filter) + "; from=" + (from == null ? "now" : from), "ok"));
    }
  }

  /** Records an accepted ingest batch. */
  public void ingest(HttpRequest request, String product, int events) {
    if (log != null) {
      // the events are durable by now: their entry is kept even while the trail fails, to be written once it is back
      log.recordDone(AuditEvent.ingest(principalOf(request), product, events));
    }
  }

  /** How long a read of the trail waits for the entries recorded before it to be committed. */
  private static final java.time.Duration READ_FLUSH_WAIT = java.time.Duration.ofSeconds(5);

  /**
   * {@code GET /api/v1/audit?limit=N}: the newest committed entries, newest first (recorded ones are flushed
   * first). Reading the trail is itself an admin action and is recorded.
   */
  public Route newestEntries(Executor io) {
    return extractRequest(request -> parameterOptional("limit", limitText -> {
      int limit;
      try {
        limit = limitText.map(String::trim).map(Integer::parseInt).orElse(100);
      } catch (NumberFormatException e) {
        limit = -1;
      }
      if (limit < 0 || limit > MAX_LIMIT) {
        return complete(Problem.badRequest("bad-limit", "limit must be between 0 and " + MAX_LIMIT)
            .toResponse("/api/v1/audit"));
      }
      if (log == null) {
        return complete(new Problem(404, "not-found", "Not found", "this node keeps no audit trail")
            .toResponse("/api/v1/audit"));
      }
      int n = limit;
      return completeWithFuture(CompletableFuture.supplyAsync(() -> {
        log.record(new AuditEvent(principalOf(request), AuditEvent.Action.ADMIN, null, "audit read limit=" + n,
            "ok"));
        if (!log.flush(READ_FLUSH_WAIT)) {
          // the trail's commits wait (a locked catalog): the newest entries would be missing from the answer
          return new Problem(503, "audit-unavailable", "Service unavailable", "the newest audit entries are not"
              + " committed yet (the trail's commits have waited " + READ_FLUSH_WAIT.toSeconds() + " s: is the"
              + " catalog locked?); retry later").toResponse("/api/v1/audit", 5);
        }
        ArrayNode out = JSON.createArrayNode();
        for (AuditEntry e : log.table().newest(n)) {
          out.addObject().put("seq", e.seq()).put("time", e.time().toString()).put("principal", e.principal())
              .put("action", e.action()).put("product", e.product()).put("detail", e.detail())
              .put("outcome", e.outcome()).put("prev_hash", e.prevHash()).put("hash", e.hash());
        }
        return HttpResponse.create().withStatus(StatusCodes.OK)
            .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, out.toString()));
      }, io).exceptionally(error -> {
        LOG.error("reading the audit trail failed", error);
        return new Problem(503, "audit-unavailable", "Service unavailable",
            "the audit trail cannot be read right now; retry later").toResponse("/api/v1/audit");
      }));
    }));
  }

  /** The product a path of either port names: {@code /api/v1/products/<id>/..}, {@code /lakemesh/products/<id>/..}. */
  private static String productOf(String path) {
    String prefix = path.startsWith("/lakemesh/products/") ? "/lakemesh/products/" : "/api/v1/products/";
    if (!path.startsWith(prefix) || path.length() == prefix.length()) {
      return null;
    }
    String rest = path.substring(prefix.length());
    int slash = rest.indexOf('/');
    return slash < 0 ? rest : rest.substring(0, slash);
  }
}
