package io.lakemesh.runtime.serve;

import io.lakemesh.contracts.policy.Action;
import io.lakemesh.runtime.observe.ProductMetrics;
import io.lakemesh.runtime.product.Product;
import io.lakemesh.runtime.product.ProductCatalog;
import io.lakemesh.runtime.security.Principal;
import io.lakemesh.runtime.security.ProductAccess;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The operator's port: liveness, readiness (for Kubernetes probes) and Prometheus metrics, open; one product's
 * operator actions (pause, resume, replay) for the platform admin or a role the product's contract grants admin;
 * everything cluster-wide (membership, shards, rebalancing, the workers of every product) for the platform admin.
 */
public final class ManagementRoutes extends AllDirectives {
  private final ServingState serving;
  private final ProductMetrics metrics;
  private final Executor io;

  private final Route clusterManagement;
  private final ProductAdmin admin;
  private final io.lakemesh.runtime.security.audit.AuditDirectives audit;

  /**
   * @param clusterManagement Pekko Management's routes: {@code /cluster/members} (GET; PUT/DELETE to down or make
   *     a member leave), {@code /cluster/shards/{region}}
   */
  private final io.lakemesh.runtime.security.Authenticator authenticator;
  private final boolean clusterBootstrap;
  private final ProductCatalog products;
  private final ProductAccess access;

  /**
   * @param access decides, as on the API port, who may administer one product (pause, resume, replay): the
   *     platform admin, or a role the product's contract grants admin
   */
  public ManagementRoutes(ServingState serving, ProductMetrics metrics, Executor io, Route clusterManagement,
      ProductAdmin admin, io.lakemesh.runtime.security.Authenticator authenticator,
      io.lakemesh.runtime.security.audit.AuditDirectives audit, boolean clusterBootstrap, ProductCatalog products,
      ProductAccess access) {
    this.products = products;
    this.access = access;
    this.clusterBootstrap = clusterBootstrap;
    this.audit = audit;
    this.authenticator = authenticator;
    this.clusterManagement = clusterManagement;
    this.admin = admin;
    this.serving = serving;
    this.metrics = metrics;
    this.io = io;
  }

  /** The caller of every route past the open probes; a 401 problem when it proves no identity. */
  private Route authenticated(Function<Principal, Route> inner) {
    return extractRequest(request -> {
          Principal caller;
          try {
            caller = authenticator.authenticate(ApiRoutes.headerValues(request, "authorization"),
                ApiRoutes.headerValues(request, "x-api-key"));
          } catch (io.lakemesh.runtime.security.UnauthenticatedException e) {
            return complete(new Problem(401, "unauthorized", "Unauthorized", e.clientHint()
                .orElse("a valid bearer token or API key is required")).toResponse(null).addHeader(
                    org.apache.pekko.http.javadsl.model.headers.RawHeader.create("WWW-Authenticate",
                        "Bearer realm=\"lakemesh\"")));
          }
          return inner.apply(caller);
        });
  }

  /** Cluster-wide administration (members, shards, rebalancing, every product's workers): the platform admin only. */
  private Route platformAdminOnly(Principal caller, Supplier<Route> inner) {
    if (!caller.admin()) {
      return complete(new Problem(403, "forbidden", "Forbidden", "cluster administration needs the platform admin"
          + " role; a role a product's contract grants admin may only pause, resume and replay that product")
          .toResponse(null));
    }
    return audited(inner);
  }

  /**
   * One product's operator actions: the platform admin, or a caller holding a role the product's contract grants
   * admin (decided as the API port decides read and ingest).
   */
  private Route productAdminOnly(Principal caller, String id, Supplier<Route> inner) {
    if (caller.admin()) {
      return audited(inner); // an unknown product is the action's own 404
    }
    String instance = "/lakemesh/products/" + id;
    // a product the caller has no role on is answered as an unknown one: its existence is not confirmed
    Product product = products.find(id).filter(p -> access.allowsAny(caller, p)).orElse(null);
    if (product == null) {
      return complete(Problem.notFound(products.unknown(id, p -> access.allowsAny(caller, p)))
          .toResponse(instance));
    }
    if (!access.allows(caller, product, Action.ADMIN)) {
      return complete(new Problem(403, "forbidden", "Forbidden", "your roles do not allow admin on " + product.id()
          + ": pausing, resuming and replaying a product need the platform admin role or a role its contract"
          + " grants admin (lakemeshActions)").toResponse(instance));
    }
    return audited(inner);
  }

  private Route audited(Supplier<Route> inner) {
    // every operator action (pause, resume, leave, down) goes to the audit trail with what it asked (the
    // query, Pekko's Leave or Down form) before it runs: one the trail cannot take is not done. Its outcome
    // follows: "ok", or the status of a 5xx (a 4xx refusal is recorded as a denial around the port)
    // no deadline of its own: a body that stops arriving is cut by the port's body-idle-timeout (408), and a
    // slow but steady one is read whole, as on the API port
    return toStrictEntity(java.time.Duration.ofMinutes(5), () -> extractRequest(request -> {
      if (request.method().value().equals("GET")) {
        return inner.get();
      }
      String detail = actionOf(request);
      try {
        audit.admin(request, detail, "requested");
      } catch (io.lakemesh.runtime.security.audit.AuditLog.AuditUnavailableException e) {
        return complete(new Problem(503, "audit-unavailable", "Service unavailable",
            "the action could not be recorded in the audit trail, so it was not done; retry later")
            .toResponse(request.getUri().path()));
      }
      return mapResponse(response -> {
        int status = response.status().intValue();
        if (status < 400 || status >= 500) {
          try {
            audit.admin(request, detail, status < 400 ? "ok" : Integer.toString(status));
          } catch (io.lakemesh.runtime.security.audit.AuditLog.AuditUnavailableException e) {
            // the request is on record; only its outcome is not
            org.slf4j.LoggerFactory.getLogger(ManagementRoutes.class).warn("outcome of an operator action"
                + " not audited ({}, {}): {}", detail, status, e.getMessage());
          }
        }
        return response;
      }, inner);
    }));
  }

  /** What an operator asked for: method, path, query and a short form body ({@code operation=Down}). */
  private static String actionOf(org.apache.pekko.http.javadsl.model.HttpRequest request) {
    StringBuilder detail = new StringBuilder(request.method().value()).append(' ').append(request.getUri().path());
    request.getUri().rawQueryString().ifPresent(q -> detail.append('?').append(q));
    if (request.entity() instanceof org.apache.pekko.http.javadsl.model.HttpEntity.Strict strict
        && !strict.getData().isEmpty()) {
      String body = strict.getData().utf8String().replaceAll("\\s+", " ").trim();
      detail.append(' ').append(body.length() > 300 ? body.substring(0, 300) + "…" : body);
    }
    return detail.toString();
  }

  /** An operator action: POST runs it, any other method is a 405 naming POST (not a 404 for a path that exists). */
  private Route postOnly(java.util.function.Supplier<Route> action) {
    return orNotAllowed(post(action), "POST", "this action takes POST");
  }

  /**
   * A resource that is read: GET (and HEAD) answers, any other method is a 405 naming them, before any token is
   * asked for (the probes and the scrape are open) and not a 404 for a path that exists.
   */
  private Route getOnly(java.util.function.Supplier<Route> read) {
    return orNotAllowed(get(read), "GET, HEAD", "this resource is read with GET");
  }

  /** The route for its method; any other method gets a 405 problem and {@code Allow}. */
  private Route orNotAllowed(Route allowed, String allow, String how) {
    return concat(allowed, extractRequest(request -> complete(new Problem(405, "method-not-allowed",
        "Method not allowed", request.method().value() + " is not allowed here; " + how)
        .toResponse(request.getUri().path())
        .addHeader(org.apache.pekko.http.javadsl.model.headers.RawHeader.create("Allow", allow)))));
  }

  /** {@code POST /lakemesh/products/<id>/<action>}, for whom may administer that product. */
  private Route productAction(Principal caller, String action, Function<String, Route> run) {
    return path(PathMatchers.segment("lakemesh").slash("products").slash(PathMatchers.segment()).slash(action),
        id -> productAdminOnly(caller, id, () -> postOnly(() -> run.apply(id))));
  }

  /**
   * Every route of the port. The node wraps them in the audit trail's record of 4xx answers (refused tokens,
   * denied or refused actions, rate limits) around the rate limits, as on the API port.
   */
  public Route routes() {
    // a request that outlives the server's request timeout (metrics while the catalog is locked) gets problem+json,
    // as on the API port, not Pekko's text
    return withRequestTimeoutResponse(request -> new Problem(503, "request-timeout", "Service unavailable",
            "the request took longer than the server's limit (the catalog or the node is busy); retry later")
            .toResponse(request.getUri().path()),
        // failures and rejections (a stalled or oversized body, a malformed form) answer problem+json too
        () -> new ProblemHandlers(() -> new Problem(413, "too-large", "Payload too large",
            "the body is larger than the management port accepts")).around(this::all));
  }

  private Route all() {
    return concat(
        path("alive", () -> getOnly(() -> QueryParameters.checked("/alive", List.of(), none ->
            complete(HttpResponse.create().withEntity(ContentTypes.APPLICATION_JSON, "{\"status\":\"alive\"}"))))),
        path("ready", () -> getOnly(() -> QueryParameters.checked("/ready", List.of(), none -> serving.whyNotReady()
            .map(why -> complete(Problem.notReady(why).toResponse("/ready")))
            .orElseGet(() -> complete(HttpResponse.create().withEntity(ContentTypes.APPLICATION_JSON,
                serving.readyBody())))))),
        path("metrics", () -> getOnly(() -> QueryParameters.checked("/metrics", List.of(), none ->
            completeWithFuture(CompletableFuture.supplyAsync(metrics::scrape, io)
            .thenApply(text -> HttpResponse.create().withStatus(StatusCodes.OK).withEntity(
                HttpEntities.create(ContentTypes.TEXT_PLAIN_UTF8, text))))))),
        // Kubernetes cluster bootstrap: joining pods probe each other here before any token could exist;
        // read-only (the seed nodes a pod would join), and only served when bootstrapping on Kubernetes
        clusterBootstrap ? pathPrefixTest("bootstrap", () -> get(() -> clusterManagement)) : reject(),
        authenticated(caller -> concat(
        // one product's operator actions: the platform admin, or a role its contract grants admin
        productAction(caller, "pause", id ->
            QueryParameters.checked("/lakemesh/products/" + id + "/pause", List.of(), none ->
            completeWithFuture(admin.pause(id)))),
        productAction(caller, "resume", id ->
            QueryParameters.checked("/lakemesh/products/" + id + "/resume", List.of("quarantine-batch"), params ->
            completeWithFuture(admin.resume(id, params.get("quarantine-batch"))))),
        productAction(caller, "replay", id ->
            // recomputing gold from a large upstream outlasts the default request timeout
            withRequestTimeout(java.time.Duration.ofMinutes(5), () ->
            QueryParameters.checked("/lakemesh/products/" + id + "/replay", List.of("from"), params ->
            completeWithFuture(admin.replay(id, params.get("from")))))),
        // the rest acts on the cluster (membership, placement, every product's workers): the platform admin only
        platformAdminOnly(caller, () -> concat(
        path(PathMatchers.segment("lakemesh").slash("rebalance"), () ->
            postOnly(() -> QueryParameters.checked("/lakemesh/rebalance", List.of(), none ->
                entity(org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller.entityToString(), body ->
                completeWithFuture(admin.rebalance(body)))))),
        pathPrefix("lakemesh", () -> pathPrefix("products", () -> pathEndOrSingleSlash(() -> getOnly(() ->
            QueryParameters.checked("/lakemesh/products", List.of(), none -> completeWithFuture(admin.list())))))),
        clusterManagement)))),
        extractUnmatchedPath(path -> complete(Problem.notFound("no such resource: " + path
            + " (the management port serves /alive, /ready, /metrics, /cluster/members, /cluster/shards/<region>,"
            + " /lakemesh/products, /lakemesh/products/<id>/{pause,resume,replay}, /lakemesh/rebalance)").toResponse(path))));
  }
}
