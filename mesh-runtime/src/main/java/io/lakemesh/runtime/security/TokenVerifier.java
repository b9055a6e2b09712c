package io.lakemesh.runtime.security;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import java.net.MalformedURLException;
import java.net.URI;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Verifies bearer JWTs: signature by a key of the issuer's key set (RS256 or ES256 only, so {@code alg: none} and
 * HMAC tokens signed with a public key are refused), the {@code kid} of a known key, issuer, audience, and {@code
 * exp}/{@code nbf} with a small clock skew. Thread-safe.
 */
public final class TokenVerifier {
  private static final Set<JWSAlgorithm> ALGORITHMS = Set.of(JWSAlgorithm.RS256, JWSAlgorithm.ES256);
  private static final int MAX_TOKEN_CHARS = 16 * 1024;

  private final DefaultJWTProcessor<SecurityContext> processor;
  private final String rolesClaim;
  private final String adminRole;
  private final java.time.Duration clockSkew;

  private TokenVerifier(JWKSource<SecurityContext> keys, SecuritySettings settings) {
    this.rolesClaim = settings.rolesClaim();
    this.adminRole = settings.adminRole();
    processor = new DefaultJWTProcessor<>();
    processor.setJWSKeySelector(new JWSVerificationKeySelector<>(ALGORITHMS, keys));
    DefaultJWTClaimsVerifier<SecurityContext> claims = new DefaultJWTClaimsVerifier<>(
        Set.of(settings.audience()),
        new JWTClaimsSet.Builder().issuer(settings.issuer()).build(),
        Set.of("sub", "exp", "iss", "aud"),
        Set.of());
    claims.setMaxClockSkew((int) Math.min(Integer.MAX_VALUE, settings.clockSkew().toSeconds()));
    processor.setJWTClaimsSetVerifier(claims);
    // access tokens of OIDC issuers come as JWT, as at+jwt (RFC 9068) or untyped; an ID token (id+jwt) or any other
    // kind of JWT is not an access token
    processor.setJWSTypeVerifier(new DefaultJOSEObjectTypeVerifier<>(JOSEObjectType.JWT,
        new JOSEObjectType("at+jwt"), new JOSEObjectType("application/at+jwt"), null));
    this.clockSkew = settings.clockSkew();
  }

  /** Verifies against the issuer's JWKS URL; the key set is cached and refreshed by Nimbus' {@code JWKSource}. */
  public static TokenVerifier remote(SecuritySettings settings) {
    try {
      JWKSource<SecurityContext> keys = JWKSourceBuilder.<SecurityContext>create(URI.create(settings.jwksUrl())
              .toURL())
          .retrying(true)
          .build();
      return new TokenVerifier(keys, settings);
    } catch (MalformedURLException | IllegalArgumentException e) {
      throw new IllegalStateException("lakemesh.security.jwks-url is not a URL: " + settings.jwksUrl(), e);
    }
  }

  /** Verifies against a local key set (dev mode, tests). Only the public parts of the keys are used. */
  public static TokenVerifier local(JWKSet keys, SecuritySettings settings) {
    return new TokenVerifier(new ImmutableJWKSet<>(keys.toPublicJWKSet()), settings);
  }

  /**
   * The caller an {@code Authorization} header value names.
   *
   * @throws UnauthenticatedException when the header is missing, not a bearer token, or the token is refused
   */
  public Principal verify(String authorization) throws UnauthenticatedException {
    if (authorization == null || authorization.isBlank()) {
      throw new UnauthenticatedException("no Authorization header");
    }
    String value = authorization.trim();
    if (value.length() < 7 || !value.regionMatches(true, 0, "Bearer ", 0, 7)) {
      throw new UnauthenticatedException("Authorization is not a Bearer token");
    }
    String token = value.substring(7).trim();
    if (token.length() > MAX_TOKEN_CHARS) {
      throw new UnauthenticatedException("token too long");
    }
    JWTClaimsSet claims;
    Object rawSubject; // as the token has it: the claims set reads a number as its text
    try {
      SignedJWT jwt = SignedJWT.parse(token);
      // a token must name its key: with several keys in a set (rotation) a kid-less token would be tried
      // against keys it was never meant for
      if (jwt.getHeader().getKeyID() == null) {
        throw new UnauthenticatedException("token has no kid");
      }
      claims = processor.process(jwt, null);
      rawSubject = jwt.getPayload().toJSONObject().get("sub");
    } catch (ParseException e) {
      throw new UnauthenticatedException("not a signed JWT: " + e.getMessage());
    } catch (BadJOSEException | JOSEException e) {
      throw new UnauthenticatedException("token refused: " + e.getMessage());
    } catch (RuntimeException e) {
      throw new UnauthenticatedException("token refused: " + e, e);
    }
    java.util.Date issued = claims.getIssueTime();
    if (issued != null && issued.toInstant().isAfter(java.time.Instant.now().plus(clockSkew))) {
      // Nimbus checks exp and nbf only: a token issued in the future was made ahead of time, or by a wrong clock
      throw new UnauthenticatedException("token issued in the future (iat " + issued.toInstant() + ")");
    }
    Map<String, Object> json = claims.toJSONObject();
    java.util.Optional<String> badSubject = subjectProblem(rawSubject);
    if (badSubject.isPresent()) {
      throw new UnauthenticatedException("token " + badSubject.get());
    }
    Set<String> roles = roles(json, rolesClaim);
    return new Principal(claims.getSubject(), roles, json, roles.contains(adminRole),
        new Principal.Credential.Token(claims.getExpirationTime().toInstant()));
  }

  /**
   * What is wrong with a token's subject, if anything. Every action is audited under it, so it must name someone
   * (a string, not empty: RFC 7519's StringOrURI), on one line, and not be a name Lakemesh gives callers itself
   * ({@code apikey:<id>} for API keys, {@code anonymous} for callers without credentials), which the audit trail
   * could not tell apart from it.
   */
  public static java.util.Optional<String> subjectProblem(Object sub) {
    if (sub == null || (sub instanceof String text && text.isBlank())) {
      return java.util.Optional.of("has no subject (sub)");
    }
    if (!(sub instanceof String text)) {
      return java.util.Optional.of("subject (sub) is not a string");
    }
    if (text.codePoints().anyMatch(Character::isISOControl)) {
      return java.util.Optional.of("subject (sub) holds a control character (a line break, say)");
    }
    if (text.equals(io.lakemesh.runtime.security.audit.AuditDirectives.ANONYMOUS)
        || text.startsWith(io.lakemesh.runtime.security.apikeys.ApiKeys.SUBJECT_PREFIX)) {
      return java.util.Optional.of("subject (sub) '" + text + "' is a name Lakemesh gives callers itself ('apikey:<id>'"
          + " for API keys, 'anonymous' for callers without credentials): the audit trail could not tell them apart");
    }
    return java.util.Optional.empty();
  }

  /** Whether a token that expires at {@code expires} is refused by now (with the clock skew tolerated). */
  boolean expired(java.time.Instant expires) {
    return java.time.Instant.now().isAfter(expires.plus(clockSkew));
  }

  /** The roles at a dotted claim path: a list of strings, or one string of space-separated roles. */
  static Set<String> roles(Map<String, Object> claims, String path) {
    Object node = claims;
    for (String part : path.split("\\.")) {
      if (!(node instanceof Map<?, ?> map)) {
        return Set.of();
      }
      node = map.get(part);
    }
    Set<String> roles = new LinkedHashSet<>();
    if (node instanceof Collection<?> list) {
      for (Object o : list) {
        if (o instanceof String s && !s.isBlank()) {
          roles.add(s.trim());
        }
      }
    } else if (node instanceof String s) {
      List<String> parts = new ArrayList<>(List.of(s.trim().split("\\s+")));
      parts.removeIf(String::isBlank);
      roles.addAll(parts);
    }
    return roles;
  }
}
