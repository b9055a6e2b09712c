package io.lakemesh.runtime.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lakemesh.contracts.policy.AccessPolicy;
import io.lakemesh.runtime.product.ProductCatalog;
import io.lakemesh.runtime.security.Principal;
import io.lakemesh.runtime.security.apikeys.ApiKeys;
import io.lakemesh.runtime.security.audit.AuditDirectives;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;

/** {@code /api/v1/admin/api-keys}: service-account keys, managed by platform admins. */
final class ApiKeyAdminRoutes extends AllDirectives {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** An API key's specification: a member given twice is an error, not the last one winning. */
  private static final ObjectMapper KEY_SPEC = com.fasterxml.jackson.databind.json.JsonMapper.builder()
      .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

  private final ProductCatalog products;
  private final ApiKeys apiKeys;
  private final AuditDirectives audit;
  /** Runs blocking work off the HTTP threads, as every read of the API does. */
  private final BiFunction<String, Supplier<JsonNode>, Route> async;

  ApiKeyAdminRoutes(ProductCatalog products, ApiKeys apiKeys, AuditDirectives audit,
      BiFunction<String, Supplier<JsonNode>, Route> async) {
    this.products = products;
    this.apiKeys = apiKeys;
    this.audit = audit;
    this.async = async;
  }

  private static ObjectNode keyJson(ApiKeys.KeyInfo k) {
    ObjectNode n = JSON.createObjectNode();
    n.put("id", k.id());
    n.put("name", k.name());
    k.roles().forEach(n.putArray("roles")::add);
    n.set("claims", JSON.valueToTree(k.claims()));
    n.put("created", k.created().toString());
    n.put("createdBy", k.createdBy());
    n.put("revoked", k.revoked() == null ? null : k.revoked().toString());
    return n;
  }

  /** Service-account keys: create (shown once), list (never the secret), revoke. Platform admins only. */
  Route routes(Principal caller) {
    String instance = "/api/v1/admin/api-keys";
    if (!caller.admin()) {
      return problem(new Problem(403, "forbidden", "Forbidden", "managing API keys needs the admin role"),
          instance);
    }
    return extractRequest(request -> concat(
        pathEndOrSingleSlash(() -> concat(
            get(() -> async.apply(instance, () -> {
              ArrayNode list = JSON.createArrayNode();
              apiKeys.list().forEach(k -> list.add(keyJson(k)));
              return list;
            })),
            post(() -> entity(Unmarshaller.entityToByteArray(), body -> {
              JsonNode spec;
              try {
                spec = KEY_SPEC.readTree(body);
              } catch (java.io.IOException e) {
                // a member given twice is refused, as in events: which one counts would be a guess
                String why = e instanceof com.fasterxml.jackson.core.JsonProcessingException j
                    ? j.getOriginalMessage() + "; " : "";
                return problem(Problem.badRequest("malformed-body", why + "send {\"name\": ..., \"roles\": [...],"
                    + " \"claims\": {...}}"), instance);
              }
              for (java.util.Iterator<String> members = spec == null ? java.util.Collections.emptyIterator()
                  : spec.fieldNames(); members.hasNext(); ) {
                String member = members.next();
                if (!List.of("name", "roles", "claims").contains(member)) {
                  // a typo ("role") or a wish ("expires") must not create a key other than the one asked for
                  return problem(Problem.badRequest("malformed-body", "unknown member '" + member + "'; a key takes"
                      + " \"name\", \"roles\" and \"claims\" (keys do not expire: revoke them)"), instance);
                }
              }
              if (spec == null || !spec.path("name").isTextual() || !spec.path("roles").isArray()) {
                return problem(Problem.badRequest("malformed-body", "a key needs a \"name\" (string) and"
                    + " \"roles\" (array of role names); \"claims\" (object) is optional"), instance);
              }
              String name = spec.get("name").asText();
              if (name.isBlank() || name.length() > 200) {
                return problem(Problem.badRequest("malformed-body", "a key's \"name\" must be 1 to 200 characters"),
                    instance);
              }
              if (spec.path("roles").isEmpty() || !allText(spec.path("roles"))) {
                return problem(Problem.badRequest("malformed-body", "\"roles\" must be a non-empty array of role"
                    + " names: a key without roles can do nothing"), instance);
              }
              if (spec.has("claims") && !spec.get("claims").isObject()) {
                return problem(Problem.badRequest("malformed-body", "\"claims\" must be an object of claim names to"
                    + " values, e.g. {\"region\": \"NCR\"}"), instance);
              }
              List<String> roles = new java.util.ArrayList<>();
              spec.path("roles").forEach(r -> {
                if (!roles.contains(r.asText())) {
                  roles.add(r.asText()); // a role listed twice is held once
                }
              });
              java.util.Set<String> known = knownRoles();
              List<String> unknown = roles.stream().filter(r -> !known.contains(r)).toList();
              if (!unknown.isEmpty()) {
                java.util.Set<String> granting = new java.util.TreeSet<>(known);
                rolesGrantingNothing(List.copyOf(known)).forEach(granting::remove);
                return problem(Problem.badRequest("unknown-role", "no contract grants the role(s) " + unknown
                    + "; roles that grant something: " + granting), instance);
              }
              @SuppressWarnings("unchecked")
              Map<String, Object> claims = spec.has("claims") ? JSON.convertValue(spec.get("claims"), Map.class)
                  : Map.of();
              var created = apiKeys.create(name, roles, claims, caller.subject());
              audit.admin(request, "api-key created " + created.info().id() + " roles=" + roles);
              ObjectNode out = keyJson(created.info());
              out.put("key", created.key());
              out.put("note", "the key is shown only now: store it; the server keeps only a salted hash");
              List<String> idle = rolesGrantingNothing(roles);
              if (!idle.isEmpty()) {
                // a valid contract may declare a role without an access Lakemesh enforces: the key is made, but say
                // so now rather than leave its holder to find out by 403s
                out.put("warning", "role(s) " + idle + " grant nothing in any deployed contract (no access read,"
                    + " write or read-write, no lakemeshActions): this key can do nothing through them");
              }
              return complete(ApiRoutes.jsonResponse(StatusCodes.CREATED, out));
            })))),
        path(PathMatchers.segment(), id -> concat(
            get(() -> apiKeys.list().stream().filter(k -> k.id().equals(id)).findFirst()
                .map(k -> complete(HttpResponse.create().withStatus(StatusCodes.OK).withEntity(
                    ContentTypes.APPLICATION_JSON, keyJson(k).toString())))
                .orElseGet(() -> problem(Problem.notFound("no API key '" + id + "'"), instance + "/" + id))),
            delete(() -> {
              boolean revoked = apiKeys.revoke(id, caller.subject());
              if (!revoked) {
                return problem(Problem.notFound("no API key '" + id + "'"), instance + "/" + id);
              }
              audit.admin(request, "api-key revoked " + id);
              return complete(StatusCodes.NO_CONTENT);
            })))));
  }

  private static boolean allText(JsonNode array) {
    for (JsonNode n : array) {
      if (!n.isTextual() || n.asText().isBlank()) {
        return false;
      }
    }
    return true;
  }

  /** The roles, of those given, that no deployed contract lets do anything (deny by default). */
  private List<String> rolesGrantingNothing(List<String> roles) {
    return roles.stream().filter(r -> !"admin".equals(r))
        .filter(r -> products.all().stream().noneMatch(p -> p.contract().roles().stream()
            .anyMatch(g -> g.role().equals(r) && AccessPolicy.grantsSomething(g))))
        .distinct().toList();
  }

  /** The roles a key may carry: those the deployed contracts name, and admin. */
  private java.util.Set<String> knownRoles() {
    java.util.Set<String> known = new java.util.HashSet<>();
    known.add("admin");
    products.all().forEach(p -> p.contract().roles().forEach(g -> known.add(g.role())));
    return known;
  }

  private Route problem(Problem problem, String instance) {
    return complete(problem.toResponse(instance));
  }
}
