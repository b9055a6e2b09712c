package io.lakemesh.runtime.security;

import java.util.Map;
import java.util.Set;

/**
 * An authenticated caller.
 *
 * @param subject the token's {@code sub}
 * @param roles the roles read from the configured roles claim
 * @param claims every claim of the token as JSON values (what contract row filters see as {@code claims})
 * @param admin whether the caller holds the platform admin role
 */
public record Principal(String subject, Set<String> roles, Map<String, Object> claims, boolean admin) {
  public Principal {
    roles = Set.copyOf(roles);
    // JSON claims may hold nulls, which Map.copyOf refuses
    claims = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(claims));
  }
}
