package io.lakemesh.runtime.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lakemesh.contracts.model.Stage;
import io.lakemesh.contracts.policy.Action;
import io.lakemesh.contracts.validate.Timestamps;
import io.lakemesh.runtime.cluster.WorkerId;
import io.lakemesh.runtime.ingest.EventSplitter;
import io.lakemesh.runtime.ingest.IngestService;
import io.lakemesh.runtime.product.Product;
import io.lakemesh.runtime.product.ProductCatalog;
import io.lakemesh.runtime.product.RoutingKey;
import io.lakemesh.runtime.security.Authenticator;
import io.lakemesh.runtime.security.Principal;
import io.lakemesh.runtime.security.ProductAccess;
import io.lakemesh.runtime.security.ReadScope;
import io.lakemesh.runtime.security.UnauthenticatedException;
import io.lakemesh.runtime.security.apikeys.ApiKeys;
import io.lakemesh.runtime.security.audit.AuditDirectives;
import io.lakemesh.runtime.security.audit.AuditLog;
import io.lakemesh.runtime.stream.LiveStreams;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.ExceptionHandler;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.RejectionHandler;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;
import org.apache.pekko.http.scaladsl.model.EntityStreamSizeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The data-product HTTP API. Every error is an RFC 9457 problem; nothing internal (stack traces, class names of
 * failures) reaches a client, it goes to the log with the request it belongs to.
 */
public final class ApiRoutes extends AllDirectives {
  private static final Logger LOG = LoggerFactory.getLogger(ApiRoutes.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final ProductCatalog products;
  private final IngestService ingest;
  private final RowQueries queries;
  private final ProductStats stats;
  private final ServingState serving;
  private final Executor io;
  private final long maxBodyBytes;
  private final Authenticator authenticator;
  private final ProductAccess access;
  private final LiveStreams streams;
  /** WebSocket responses whose close frame carries the stream's close code (4008 too slow, 1001 shutdown). */
  private final ClosingWebSocket webSockets = new ClosingWebSocket();
  private final ApiKeyAdminRoutes apiKeyAdmin;
  /** When an ingest last said that Kafka does not answer (System.nanoTime), so a retrying client floods no log. */
  private final LogThrottle logDown = new LogThrottle(Duration.ofMinutes(1));
  /** Ingests accepted without an audit entry (the trail is down): said once a minute, with their count. */
  private final LogThrottle unaudited = new LogThrottle(Duration.ofMinutes(1));
  private final AuditDirectives audit;
  private final Duration queryTimeout;

  /**
   * @param audit        records reads, ingests and denials (and serves the audit API)
   * @param queryTimeout reads (rows, quarantine, stats) running longer answer 503
   */
  public ApiRoutes(ProductCatalog products, IngestService ingest, RowQueries queries, ProductStats stats,
      ServingState serving, Executor io, long maxBodyBytes, Authenticator authenticator, ProductAccess access,
      LiveStreams streams, AuditDirectives audit, Duration queryTimeout, ApiKeys apiKeys) {
    this.apiKeyAdmin = new ApiKeyAdminRoutes(products, apiKeys, audit, this::async);
    this.authenticator = authenticator;
    this.streams = streams;
    this.access = access;
    this.audit = audit;
    this.queryTimeout = queryTimeout;
    this.products = products;
    this.ingest = ingest;
    this.queries = queries;
    this.stats = stats;
    this.serving = serving;
    this.io = io;
    this.maxBodyBytes = maxBodyBytes;
  }

  public Route routes() {
    return new ProblemHandlers(this::tooLarge).around(() -> concat(
        path("alive", () -> get(() -> QueryParameters.checked("/alive", List.of(), none ->
            json(Map.of("status", "alive"))))),
        path("ready", () -> get(() -> QueryParameters.checked("/ready", List.of(), none -> serving.whyNotReady()
            .map(why -> problem(Problem.notReady(why), "/ready"))
            .orElseGet(() -> complete(HttpResponse.create().withEntity(ContentTypes.APPLICATION_JSON,
                serving.readyBody())))))),
        // everything under /api needs a verified caller; the probes above stay open
        pathPrefix("api", () -> authenticated(caller -> pathPrefix("v1", () -> concat(
            pathPrefix("products", () -> concat(
                pathEndOrSingleSlash(() -> get(() -> jsonOnly(() -> QueryParameters.checked("/api/v1/products",
                    List.of(), none -> catalog(caller))))),
                pathPrefix(PathMatchers.segment(), id -> concat(
                    pathEndOrSingleSlash(() -> get(() -> jsonOnly(() -> QueryParameters.checked("/api/v1/products/"
                        + id, List.of(), none -> product(id, caller))))),
                    // a misspelt or wished-for parameter (?dry-run=true) must not store events as if it were not
                    path("events", () -> post(() -> QueryParameters.checked("/api/v1/products/" + id + "/events",
                        List.of(), none -> ingest(id, caller)))),
                    path("contract", () -> get(() -> QueryParameters.checked("/api/v1/products/" + id
                        + "/contract", List.of(), none -> contract(id, caller)))),
                    // pages of rows run to megabytes: compressed when the client accepts gzip or deflate
                    path("rows", () -> get(() -> jsonOnly(() -> compressed(() -> rows(id, caller))))),
                    path("quarantine", () -> get(() -> jsonOnly(() -> compressed(() -> quarantine(id, caller))))),
                    path("stream", () -> get(() -> stream(id, caller))))))),
            pathPrefix(PathMatchers.segment("admin").slash("api-keys"), () -> QueryParameters.checked(
                "/api/v1/admin/api-keys", List.of(), none -> apiKeyAdmin.routes(caller))),
            // the audit trail: platform admins only
            path("audit", () -> get(() -> QueryParameters.checked("/api/v1/audit", List.of("limit"), params ->
                caller.admin() ? audit.newestEntries(io)
                : problem(new Problem(403, "forbidden", "Forbidden", "reading the audit trail needs the admin role"),
                    "/api/v1/audit"))))))))
    ));
  }

  /**
   * Verifies the bearer token. Every refusal gets the same answer: which check failed is logged, never told (it
   * would help an attacker tune a forged token).
   */
  /**
   * Verifies the bearer token or API key. Every refusal gets the same answer: which check failed is logged, never
   * told (it would help an attacker tune a forged token).
   */
  private Route authenticated(Function<Principal, Route> inner) {
    return optionalHeaderValueByName("Authorization", header -> optionalHeaderValueByName("X-API-Key", apiKey ->
        extractRequest(request -> {
      Principal caller;
      Optional<String> queryToken = browserStreamToken(request);
      if (queryToken.isPresent() && (header.isPresent() || apiKey.isPresent())) {
        // which one would count is a guess the caller should not have to make
        return complete(Problem.badRequest("ambiguous-credentials", "a credential in a header and in access_token:"
            + " give one (access_token is for browsers, which cannot set headers)").toResponse(null));
      }
      try {
        caller = queryToken.isPresent()
            ? queryToken.get().startsWith("lmk_") ? authenticator.authenticate(Optional.empty(), queryToken)
                : authenticator.authenticate(Optional.of("Bearer " + queryToken.get()), Optional.empty())
            : authenticator.authenticate(headerValues(request, "authorization"), headerValues(request, "x-api-key"));
      } catch (UnauthenticatedException e) {
        LOG.debug("credentials refused: {}", e.getMessage());
        return complete(new Problem(401, "unauthorized", "Unauthorized", e.clientHint().orElse(
            "a valid bearer token or API key is required (Authorization: Bearer <token>, or X-API-Key: <key>; a"
                + " browser's WebSocket to a stream, which cannot set headers: access_token=<token or key>)"))
            .toResponse(null)
            .addHeader(RawHeader.create("WWW-Authenticate", header.isPresent() || queryToken.isPresent()
                ? "Bearer realm=\"lakemesh\", error=\"invalid_token\"" : "Bearer realm=\"lakemesh\"")));
      }
      // the caller as authenticated here goes with the request: what the audit trail records of it names this
      // caller, even if the key is revoked (or the token expires) before the answer
      Principal authenticatedCaller = caller;
      return mapRequest(r -> r.addAttribute(AuditDirectives.CALLER, authenticatedCaller.subject()),
          () -> inner.apply(authenticatedCaller));
    })));
  }

  /** The values of every header of that (lower-case) name, as often as the request carries it. */
  static List<String> headerValues(org.apache.pekko.http.javadsl.model.HttpRequest request, String lowercaseName) {
    List<String> values = new java.util.ArrayList<>();
    for (org.apache.pekko.http.javadsl.model.HttpHeader h : request.getHeaders()) {
      if (h.lowercaseName().equals(lowercaseName)) {
        values.add(h.value());
      }
    }
    return values;
  }

  /**
   * The {@code access_token} query parameter of a WebSocket upgrade to a stream (RFC 6750 section 2.3): a browser's
   * WebSocket cannot set headers, so a dashboard in a browser has no other way to present its token or API key.
   * Nowhere else: a token in a URL ends up in proxies' logs and browser history.
   */
  private static Optional<String> browserStreamToken(org.apache.pekko.http.javadsl.model.HttpRequest request) {
    if (!request.getUri().path().endsWith("/stream") || !ClosingWebSocket.isUpgrade(request)) {
      return Optional.empty();
    }
    return request.getUri().query().get(STREAM_TOKEN_PARAMETER).filter(t -> !t.isBlank());
  }

  /**
   * A resource served as JSON only: a request whose Accept rules JSON out (text/csv alone) is a 406, not JSON it
   * did not ask for.
   */
  private Route jsonOnly(Supplier<Route> inner) {
    // the answer depends on Accept (JSON or a 406): a shared cache keeps one per Accept
    return respondWithHeader(RawHeader.create("Vary", "Accept"), () -> extractRequest(request -> {
      if (DeployedContract.quality(request, List.of(MediaTypes.APPLICATION_JSON)) > 0) {
        return inner.get();
      }
      return problem(new Problem(406, "not-acceptable", "Not acceptable", "this resource is served as"
          + " application/json only; the Accept header (" + request.getHeader("Accept").map(h -> h.value())
          .orElse("") + ") does not allow it"), request.getUri().path());
    }));
  }

  /** Compressed when the client accepts gzip or deflate; a shared cache keeps one answer per encoding. */
  private Route compressed(Supplier<Route> inner) {
    return respondWithHeader(RawHeader.create("Vary", "Accept-Encoding"), () -> encodeResponse(inner));
  }

  /** Retry-After of a 429 too-many-streams. */
  private static final long STREAMS_RETRY_SECONDS = 30;

  /** The query parameter a browser's stream subscription carries its credential in. */
  private static final String STREAM_TOKEN_PARAMETER = "access_token";

  private Route forbidden(Product p, Action action, String instance) {
    return problem(new Problem(403, "forbidden", "Forbidden", "your roles do not allow "
        + action.contractName() + " on " + p.id()), instance);
  }

  private Route catalog(Principal caller) {
    // off the HTTP threads: a gold product over several served majors reads its table to say which it reads
    return async("/api/v1/products", () -> catalogOf(caller));
  }

  private ArrayNode catalogOf(Principal caller) {
    ArrayNode list = JSON.createArrayNode();
    for (Product p : products.all()) {
      if (!access.allows(caller, p, Action.READ)) {
        continue; // a caller does not learn of products it may not read
      }
      ObjectNode node = list.addObject();
      node.put("id", p.id());
      node.put("domain", p.contract().domain());
      node.put("name", p.contract().name());
      node.put("version", p.contract().version());
      // the id that keeps naming this major when a newer one takes the plain id: what a pinned reader uses
      node.put("pinnedId", p.pinnedId());
      node.put("status", p.contract().status());
      ArrayNode stages = node.putArray("stages");
      p.stage().tables().forEach(stages::add);
      if (p.stage() != Stage.SOURCE) {
        node.put("upstream", stats.upstream(p));
      }
      node.put("description", p.contract().description());
      node.put("owner", p.contract().owner());
      node.put("links", "/api/v1/products/" + p.id());
    }
    return list;
  }

  private Route product(String id, Principal caller) {
    return withProduct(id, caller, p -> !access.allows(caller, p, Action.READ)
        ? forbidden(p, Action.READ, "/api/v1/products/" + id)
        : async("/api/v1/products/" + id, () -> {
      ObjectNode node = JSON.createObjectNode();
      node.put("id", p.id());
      node.put("stage", p.stage().odcsName());
      node.put("version", p.contract().version()); // as the catalog lists it
      node.put("pinnedId", p.pinnedId());
      node.put("servedTable", p.servedTable().toString());
      // the contract is the whole document: in one of several tables, this names the product's own schema object
      node.put("schemaObject", p.contract().table().name());
      if (p.stage() == Stage.SOURCE) {
        // for producers that write to the log themselves: where, and by which key (see RoutingKey)
        ObjectNode log = node.putObject("rawTopic");
        log.put("name", p.rawTopic());
        log.put("partitions", p.contract().settings().partitions());
        RoutingKey.of(p).ifPresent(k -> log.put("keyedBy", k.column()));
      }
      node.set("stats", stats.of(p));
      node.set("contract", p.contract().document());
      return node;
    }));
  }

  /**
   * The contract a product runs under, as deployed: YAML (as contracts are written), or JSON for a client that asks
   * for it. What {@code lakemesh contract diff} compares an edit with, without the file it was deployed from.
   */
  private Route contract(String id, Principal caller) {
    String instance = "/api/v1/products/" + id + "/contract";
    return withProduct(id, caller, p -> !access.allows(caller, p, Action.READ) ? forbidden(p, Action.READ, instance)
        : extractRequest(request -> complete(DeployedContract.response(p, request))));
  }

  private Route ingest(String id, Principal caller) {
    String instance = "/api/v1/products/" + id + "/events";
    return withProduct(id, caller, p -> {
      if (!access.allows(caller, p, Action.INGEST)) {
        return forbidden(p, Action.INGEST, instance);
      }
      if (serving.stopping()) {
        // a client on a kept-alive connection gets this instead of a reset when the port closes a moment later
        return stopping(instance, "nothing of this body was accepted; send it again after Retry-After, to this node"
            + " once it is back or to another");
      }
      if (p.stage() != Stage.SOURCE) {
        // a 405 names the methods the resource allows: none, a derived product takes no events
        return complete(new Problem(405, "not-a-source", "Method not allowed", p.id()
            + " is a " + p.stage().odcsName() + " product derived from " + p.contract().settings().upstream()
            + "; post events to a source product").toResponse(instance).addHeader(RawHeader.create("Allow", "")));
      }
      // events are keyed by their first key column, canonical, so every copy of a key meets in one partition
      Optional<RoutingKey> routing = RoutingKey.of(p);
      // bulk shippers compress by default: gzip and deflate are decoded, and the limit holds for the decoded body
      // too, so a small body that inflates past it is a 413 as it streams in
      return withSizeLimit(maxBodyBytes, () -> extractRequest(sent -> {
        // a declared length over the limit is refused before decoding: decoding a cut-off body reports it "corrupt"
        java.util.OptionalLong length = sent.entity().getContentLengthOption();
        if (length.isPresent() && length.getAsLong() > maxBodyBytes) {
          return problem(tooLarge(), instance);
        }
        List<String> codings = contentCodings(sent);
        if (codings.size() > 1) {
          // RFC 9110 allows a list (in the order applied, also over several headers); one decoding is what bulk
          // shippers need
          return problem(new Problem(415, "unsupported-encoding", "Unsupported media type", "Content-Encoding "
              + codings + " lists several codings; Lakemesh decodes one (gzip or deflate): compress the body once"),
              instance);
        }
        return mapRequest(r -> oneCoding(r, codings), () -> mapSettings(s -> s.withDecodeMaxSize(maxBodyBytes),
            () -> decodeRequest(() -> extractRequest(request -> accept(p, instance, routing, request)))));
      }));
    });
  }

  /** The (decoded) body of an ingest request: split into events, made durable in Kafka, answered. */
  private Route accept(Product p, String instance, Optional<RoutingKey> routing,
      org.apache.pekko.http.javadsl.model.HttpRequest request) {
    boolean ndjson = request.entity().getContentType().mediaType().toString().contains("ndjson");
    return entity(Unmarshaller.entityToByteArray(), body -> {
      List<EventSplitter.Event> events;
      try {
        events = routing.isEmpty() ? EventSplitter.split(body, ndjson, null)
            : EventSplitter.split(body, ndjson, routing.get().column(), routing.get()::fromJson);
      } catch (EventSplitter.EventTooLargeException e) {
        return problem(new Problem(413, "event-too-large", "Payload too large", e.getMessage()), instance);
      } catch (EventSplitter.MalformedBodyException e) {
        return problem(Problem.badRequest("malformed-body", e.getMessage()), instance);
      }
      // off the HTTP threads: a send waits up to 10 s for Kafka's metadata while Kafka does not answer, and Pekko's
      // own threads (cluster heartbeats among them) must not wait with it
      CompletionStage<HttpResponse> answer = CompletableFuture.supplyAsync(() -> ingest.ingest(
              products.readersOfRawTopic(p), p.rawTopic(), p.contract().settings().partitions(), events, "http"), io)
          .thenCompose(sent -> sent)
          .thenApply(n -> {
          try {
            audit.ingest(request, p.id(), n);
          } catch (AuditLog.AuditUnavailableException e) {
            // the events are durable: refusing now would make the client send them again; said once a minute
            // with a count, since every ingest of an outage comes here
            long missed = unaudited.pass();
            if (missed > 0) {
              LOG.error("{} ingest(s) accepted (their events are durable in Kafka) without an audit entry, the last"
                  + " of {} events into {} by {}: {}", missed, n, p.id(), audit.principalOf(request),
                  e.getMessage().replace("; retry later", ""));
            }
          }
          return jsonResponse(StatusCodes.ACCEPTED, JSON.createObjectNode().put("accepted", n));
        });
      return completeWithFuture(answer.exceptionally(error -> {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (cause instanceof IngestService.BackpressureException behind) {
          return behind(behind, instance);
        }
        IngestService.NotAcknowledgedException missed = cause instanceof IngestService.NotAcknowledgedException n
            ? n : null;
        if (missed != null && missed.logUnreachable()) {
          // Kafka down or too slow: a state the operator sees in stats and the start warning, said once in a while
          // here, not with a stack trace per request
          if (logDown.pass() > 0) {
            LOG.warn("ingest into {}: Kafka does not answer ({}); answering 503 log-unavailable (said once a minute)",
                p.id(), missed.getCause().getMessage());
          }
        } else {
          LOG.error("ingest into {} failed: events not acknowledged by Kafka", p.id(), error);
        }
        String acked = missed == null ? "the events could not all be made durable (some may have been)"
            : missed.acknowledged() == 0 ? "Kafka acknowledged none of the " + missed.events() + " events"
            : "Kafka acknowledged " + missed.acknowledged() + " of the " + missed.events() + " events";
        return new Problem(503, "log-unavailable", "Service unavailable", acked + "; send them all again later: a"
            + " re-sent event is stored once when the product has a primary key").toResponse(instance, 5);
      }));
    });
  }

  /**
   * The 503 of a product too far behind. One whose workers are held (paused by an operator, halted by a critical
   * rule) says so, with a longer Retry-After: it takes no events until someone resumes it, however often the client
   * retries.
   */
  private HttpResponse behind(IngestService.BackpressureException behind, String instance) {
    java.util.SortedMap<String, String> held = new java.util.TreeMap<>();
    serving.held().forEach((worker, state) -> {
      if (WorkerId.parse(worker).productId().equals(behind.reader()) && !state.equals("replaying")) {
        held.put(worker, state);
      }
    });
    String nothingTaken = "nothing of this body was accepted: ";
    if (held.isEmpty()) {
      return new Problem(503, "backpressure", "Service unavailable", nothingTaken + "the pipeline is behind ("
          + behind.getMessage() + "); send it again after the pause in Retry-After").toResponse(instance);
    }
    return new Problem(503, "backpressure", "Service unavailable", nothingTaken + behind.getMessage() + " and does"
        + " not read: " + String.join(", ", held.entrySet().stream().map(e -> e.getKey() + " is " + e.getValue())
        .toList()) + "; it takes events again once an operator resumes it (POST /lakemesh/products/"
        + behind.reader() + "/resume on the management port" + (held.containsValue("halted") ? "; a halted worker"
            + " retries the batch it halted on, and resume?quarantine-batch=true gets past it: its stats' lastError"
            + " names the rule" : "") + ")").toResponse(instance, HELD_RETRY_SECONDS);
  }

  /** How long a client is asked to wait before it posts again to a paused or halted product. */
  private static final long HELD_RETRY_SECONDS = 30;

  /** The codings every Content-Encoding header of a request lists, in order, without {@code identity}. */
  private static List<String> contentCodings(org.apache.pekko.http.javadsl.model.HttpRequest request) {
    List<String> codings = new java.util.ArrayList<>();
    for (String header : headerValues(request, "content-encoding")) {
      for (String c : header.split(",")) {
        if (!c.isBlank() && !c.trim().equalsIgnoreCase("identity")) {
          codings.add(c.trim().toLowerCase(java.util.Locale.ROOT));
        }
      }
    }
    return codings;
  }

  /**
   * The request with its one coding as the only Content-Encoding, for the decoder, which reads the first one
   * listed: {@code identity, gzip} is gzip, and x-gzip is gzip (RFC 9110). Another coding is left for the decoder
   * to refuse (415).
   */
  private static org.apache.pekko.http.javadsl.model.HttpRequest oneCoding(
      org.apache.pekko.http.javadsl.model.HttpRequest request, List<String> codings) {
    if (codings.isEmpty()) {
      return request.removeHeader("Content-Encoding");
    }
    org.apache.pekko.http.javadsl.model.headers.HttpEncoding encoding = switch (codings.get(0)) {
      case "gzip", "x-gzip" -> org.apache.pekko.http.javadsl.model.headers.HttpEncodings.GZIP;
      case "deflate" -> org.apache.pekko.http.javadsl.model.headers.HttpEncodings.DEFLATE;
      default -> null;
    };
    return encoding == null ? request : request.removeHeader("Content-Encoding").addHeader(
        org.apache.pekko.http.javadsl.model.headers.ContentEncoding.create(encoding));
  }

  private Problem tooLarge() {
    return new Problem(413, "too-large", "Payload too large", "the body is larger than the limit of " + maxBodyBytes
        + " bytes; send smaller batches");
  }

  private Route rows(String id, Principal caller) {
    String instance = "/api/v1/products/" + id + "/rows";
    return withProduct(id, caller, p -> extractRequest(request -> QueryParameters.checked(instance,
        List.of("filter", "select", "limit", "cursor"), params -> {
      Optional<ReadScope> scope = access.reader(caller, p);
      if (scope.isEmpty()) {
        return forbidden(p, Action.READ, instance);
      }
      RowQueries.Query query;
      try {
        query = RowQueries.parse(params.get("filter"), params.get("select"), params.get("limit"));
      } catch (RowQueries.BadQueryException e) {
        return problem(new Problem(e.status(), e.slug(), e.status() == 403 ? "Forbidden" : "Bad request",
            e.getMessage()), instance);
      }
      return asyncResponse(instance, () -> {
        try {
          RowQueries.Page page = queries.page(p, query, scope.get(), params.get("cursor"));
          audit.read(request, p.id(), query.filter(), page.rows().size());
          HttpResponse response = jsonResponse(StatusCodes.OK, page.rows());
          // RFC 8288: the next page is the same request with the cursor of this one
          return page.next() == null ? response : response.addHeader(RawHeader.create("Link",
              "<" + nextPage(request, page.next()) + ">; rel=\"next\""));
        } catch (RowQueries.BadQueryException e) {
          throw new CompletionException(withPlusHint(e, request));
        }
      });
    })));
  }

  /**
   * A filter refused, written with a bare {@code +} in the URL: that reached the filter as a space (a query's form
   * encoding), which the refusal alone would not tell.
   */
  private static RowQueries.BadQueryException withPlusHint(RowQueries.BadQueryException e,
      org.apache.pekko.http.javadsl.model.HttpRequest request) {
    boolean plus = request.getUri().rawQueryString().map(q -> java.util.Arrays.stream(q.split("&"))
        .anyMatch(part -> part.startsWith("filter=") && part.contains("+"))).orElse(false);
    return !plus || !e.slug().equals("bad-filter") ? e : new RowQueries.BadQueryException(e.status(), e.slug(),
        e.getMessage() + Timestamps.PLUS_READ_AS_SPACE);
  }

  /** A configured time as an operator wrote it: whole seconds in s, anything shorter or finer in ms. */
  static String spoken(Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
  }

  /** The request's own URI, with {@code cursor} set to the next page's. */
  private static String nextPage(org.apache.pekko.http.javadsl.model.HttpRequest request, String cursor) {
    org.apache.pekko.http.javadsl.model.Query query = request.getUri().query();
    List<org.apache.pekko.japi.Pair<String, String>> params = new java.util.ArrayList<>();
    for (org.apache.pekko.japi.Pair<String, String> pair : query.toList()) {
      if (!pair.first().equals("cursor")) {
        params.add(pair);
      }
    }
    params.add(org.apache.pekko.japi.Pair.create("cursor", cursor));
    // absolute, as the request reached this server (a client can follow it as it is), in the scheme the client
    // used when a proxy that ends TLS says so: following an http:// link from an https:// page would downgrade
    org.apache.pekko.http.javadsl.model.Uri uri = request.getUri().query(
        org.apache.pekko.http.javadsl.model.Query.create(params));
    return forwardedProto(request).map(uri::scheme).orElse(uri).toString();
  }

  /** The scheme a proxy in front says the client used ({@code X-Forwarded-Proto}, or {@code Forwarded: proto=}). */
  static Optional<String> forwardedProto(org.apache.pekko.http.javadsl.model.HttpRequest request) {
    Optional<String> proto = request.getHeader("X-Forwarded-Proto").map(h -> h.value().split(",")[0].trim())
        .or(() -> request.getHeader("Forwarded").flatMap(h -> java.util.Arrays.stream(h.value().split(",")[0]
            .split(";")).map(String::trim).filter(p -> p.regionMatches(true, 0, "proto=", 0, 6))
            .map(p -> p.substring(6).replace("\"", "").trim()).findFirst()));
    return proto.map(p -> p.toLowerCase(java.util.Locale.ROOT)).filter(p -> p.equals("http") || p.equals("https"));
  }

  private Route quarantine(String id, Principal caller) {
    String instance = "/api/v1/products/" + id + "/quarantine";
    return withProduct(id, caller, p -> extractRequest(request -> QueryParameters.checked(instance,
        List.of("limit", "rule", "code", "since", "until", "cursor"), params -> {
      Optional<ReadScope> scope = access.reader(caller, p);
      if (scope.isEmpty()) {
        return forbidden(p, Action.READ, instance);
      }
      if (p.stage() != Stage.SOURCE) {
        return problem(Problem.notFound(p.id() + " has no quarantine: only source products validate events"),
            instance);
      }
      QuarantinePages.Query query;
      java.util.Set<String> ruleNames = p.contract().locatedRules().stream().map(r -> r.rule().name())
          .filter(java.util.Objects::nonNull).collect(java.util.stream.Collectors.toSet());
      try {
        query = QuarantinePages.Query.of(params, RowQueries.parse(null, null, params.get("limit")).limit(),
            ruleNames);
      } catch (RowQueries.BadQueryException e) {
        return problem(Problem.badRequest(e.slug(), e.getMessage()), instance);
      }
      return asyncResponse(instance, () -> {
        try {
          RowQueries.Page page = queries.quarantine(p, query, scope.get(), params.get("cursor"));
          query.checkFoundOrKnown(!page.rows().isEmpty() || params.containsKey("cursor"), ruleNames,
              p.contract().table().fields());
          audit.readQuarantine(request, p.id(), page.rows().size());
          HttpResponse response = jsonResponse(StatusCodes.OK, page.rows());
          return page.next() == null ? response : response.addHeader(RawHeader.create("Link",
              "<" + nextPage(request, page.next()) + ">; rel=\"next\""));
        } catch (RowQueries.BadQueryException e) {
          throw new CompletionException(e);
        }
      });
    })));
  }

  /**
   * WebSocket: committed changes as JSON messages, optionally filtered (CEL) and replayed from a point; every
   * message carries only the rows the caller may read, masked as the contract says for the caller's roles.
   */
  /** The answer of a node that is stopping (it is no longer ready): a 503 that closes the connection. */
  private Route stopping(String instance, String what) {
    return complete(new Problem(503, "stopping", "Service unavailable", "this node is stopping: " + what)
        .toResponse(instance).addHeader(org.apache.pekko.http.javadsl.model.headers.Connection.create("close")));
  }

  private Route stream(String id, Principal caller) {
    String instance = "/api/v1/products/" + id + "/stream";
    return withProduct(id, caller, p -> extractRequest(request -> QueryParameters.checked(instance, List.of("filter",
        "from", STREAM_TOKEN_PARAMETER), params -> {
      Optional<ReadScope> scope = access.reader(caller, p);
      if (scope.isEmpty()) {
        return forbidden(p, Action.READ, instance);
      }
      if (serving.stopping()) {
        // it would be closed with 1001 within the stop grace: not subscribed at all, like ingest
        return stopping(instance, "subscribe to another node, or to this one once it is back"
            + " (from=snapshot:<the last snapshot received> resumes without a gap)");
      }
      org.apache.pekko.stream.javadsl.Source<String, org.apache.pekko.NotUsed> messages;
      try {
        messages = streams.open(p, params.get("filter"), params.get("from"), scope.get(),
            () -> authenticator.withdrawn(caller), caller.subject());
      } catch (LiveStreams.BadStreamRequest e) {
        Problem refused = new Problem(e.status(), e.slug(), e.status() == 403 ? "Forbidden"
            : e.status() == 429 ? "Too many requests" : "Bad request", e.getMessage());
        // streams are held until their clients close them: a retry a second later finds the same count
        return complete(e.status() == 429 ? refused.toResponse(instance, STREAMS_RETRY_SECONDS)
            : refused.toResponse(instance));
      }
      if (!ClosingWebSocket.isUpgrade(request)) {
        // valid, but not a WebSocket request: no subscription (nor a read on record), a rejection as Pekko's
        return extractMaterializer(materializer -> {
          messages.runWith(org.apache.pekko.stream.javadsl.Sink.cancelled(), materializer); // unsubscribes
          return reject(org.apache.pekko.http.javadsl.server.Rejections.expectedWebSocketRequest());
        });
      }
      try {
        audit.subscribe(request, p.id(), params.get("filter"), params.get("from"));
      } catch (AuditLog.AuditUnavailableException e) {
        return extractMaterializer(materializer -> {
          messages.runWith(org.apache.pekko.stream.javadsl.Sink.cancelled(), materializer); // unsubscribes
          return problem(new Problem(503, "audit-unavailable", "Service unavailable",
              "the subscription could not be recorded in the audit trail; retry later"), instance);
        });
      }
      return webSockets.route(messages);
    })));
  }

  /**
   * The product, when the caller may act on it in any way; one none of its roles grants anything on is answered as
   * an unknown id, word for word, since the catalog does not list it either (a 403 would confirm it exists).
   */
  private Route withProduct(String id, Principal caller, java.util.function.Function<Product, Route> inner) {
    return products.find(id).filter(p -> access.allowsAny(caller, p)).map(inner).orElseGet(() -> extractUri(uri ->
        problem(Problem.notFound(products.unknown(id, p -> access.allowsAny(caller, p))
            + "; GET /api/v1/products lists them"), uri.path())));
  }

  /** Runs blocking table work off the HTTP threads; a bad query becomes a 400, anything else a logged 500. */
  private Route async(String instance, Supplier<JsonNode> work) {
    return asyncResponse(instance, () -> jsonResponse(StatusCodes.OK, work.get()));
  }

  private Route asyncResponse(String instance, Supplier<HttpResponse> work) {
    CompletionStage<HttpResponse> response = CompletableFuture.supplyAsync(work, io)
        .orTimeout(queryTimeout.toMillis(), TimeUnit.MILLISECONDS)
        .exceptionally(error -> {
          Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause()
              : error;
          if (cause instanceof RowQueries.BadQueryException bad) {
            String title = switch (bad.status()) {
              case 403 -> "Forbidden";
              case 410 -> "Gone";
              default -> "Bad request";
            };
            return new Problem(bad.status(), bad.slug(), title, bad.getMessage()).toResponse(instance);
          }
          if (cause instanceof RowQueries.QueryTimeoutException) {
            return new Problem(503, "query-timeout", "Service unavailable", "the query ran longer than "
                + spoken(queryTimeout) + "; narrow the filter or lower the limit").toResponse(instance);
          }
          if (cause instanceof TimeoutException) {
            // the time includes waiting for a thread: the request itself may be small
            return new Problem(503, "query-timeout", "Service unavailable", "the request was not answered within "
                + spoken(queryTimeout) + " (the node is busy, or it reads many rows): retry later, or narrow"
                + " the filter or lower the limit of a large read").toResponse(instance);
          }
          if (cause instanceof org.apache.iceberg.exceptions.NotFoundException
              || cause instanceof java.io.UncheckedIOException io
              && io.getCause() instanceof java.io.FileNotFoundException) {
            // a file of the snapshot read was deleted meanwhile (its snapshot expired after a compaction)
            return new Problem(503, "table-changed", "Service unavailable", "the table changed while it was read"
                + " (a snapshot it read expired); ask again" + (instance.endsWith("/rows")
                ? ", without the cursor if you were paging" : "")).toResponse(instance);
          }
          if (cause instanceof AuditLog.AuditUnavailableException) {
            return new Problem(503, "audit-unavailable", "Service unavailable",
                "the read could not be recorded in the audit trail; retry later").toResponse(instance);
          }
          LOG.error("{} failed", instance, cause);
          return new Problem(500, "internal", "Internal error", "the request failed on the server; see its log")
              .toResponse(instance);
        });
    return completeWithFuture(response);
  }

  private Route json(Object value) {
    return complete(jsonResponse(StatusCodes.OK, JSON.valueToTree(value)));
  }

  static HttpResponse jsonResponse(org.apache.pekko.http.javadsl.model.StatusCode status, JsonNode node) {
    return HttpResponse.create().withStatus(status)
        .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, node.toString()));
  }

  private Route problem(Problem problem, String instance) {
    return complete(problem.toResponse(instance));
  }
}
