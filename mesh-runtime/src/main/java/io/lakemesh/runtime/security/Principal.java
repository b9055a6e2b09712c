package io.lakemesh.runtime.security;

import java.time.Instant;
import java.util.Map;
import java.util.Set;

/**
 * An authenticated caller.
 *
 * @param subject the token's {@code sub}
 * @param roles the roles read from the configured roles claim
 * @param claims every claim of the token as JSON values (what contract row filters see as {@code claims})
 * @param admin whether the caller holds the platform admin role
 * @param credential what the caller proved it with, for a long-lived connection to check again later
 */
public record Principal(String subject, Set<String> roles, Map<String, Object> claims, boolean admin,
    Credential credential) {

  /** What a caller authenticated with; a subscription checks it again while it lasts (a key revoked, a token old). */
  public sealed interface Credential {
    /** An API key, by its id. */
    record ApiKey(String id) implements Credential {}

    /** A bearer token valid until {@code expires} (its exp). */
    record Token(Instant expires) implements Credential {}
  }

  public Principal {
    roles = Set.copyOf(roles);
    // JSON claims may hold nulls, which Map.copyOf refuses
    claims = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(claims));
  }
}
