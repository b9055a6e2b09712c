package io.lakemesh.runtime.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import com.typesafe.config.ConfigFactory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The production path: an OIDC-like issuer publishing its JWKS over HTTP, ES256 and RS256 keys, nested roles. */
class TokenVerifierTest {
  static HttpServer issuer;
  static ECKey ec;
  static RSAKey rsa;
  static final AtomicInteger FETCHES = new AtomicInteger();
  static TokenVerifier verifier;

  @BeforeAll
  static void start() throws Exception {
    ec = new ECKeyGenerator(Curve.P_256).keyID("ec-1").generate();
    rsa = new RSAKeyGenerator(2048).keyID("rsa-1").generate();
    byte[] jwks = new JWKSet(List.of(ec.toPublicJWK(), rsa.toPublicJWK())).toString().getBytes(StandardCharsets.UTF_8);
    issuer = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    issuer.createContext("/certs", exchange -> {
      FETCHES.incrementAndGet();
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, jwks.length);
      exchange.getResponseBody().write(jwks);
      exchange.close();
    });
    issuer.start();
    SecuritySettings settings = SecuritySettings.from(ConfigFactory.parseMap(Map.of(
        "security.mode", "production",
        "security.jwks-url", "http://127.0.0.1:" + issuer.getAddress().getPort() + "/certs",
        "security.issuer", "https://sso.example/realms/shop",
        "security.roles-claim", "realm_access.roles",
        "security.hash-salt", "s3cret"))
        .withFallback(ConfigFactory.defaultReference().getConfig("lakemesh")));
    verifier = TokenVerifier.remote(settings);
  }

  @AfterAll
  static void stop() {
    issuer.stop(0);
  }

  static JWTClaimsSet.Builder claims() {
    return new JWTClaimsSet.Builder().issuer("https://sso.example/realms/shop").audience(List.of("account",
        "lakemesh")).subject("bob").expirationTime(Date.from(Instant.now().plusSeconds(300)))
        .claim("realm_access", Map.of("roles", List.of("analyst", "offline_access"))).claim("region", "NCR");
  }

  static String sign(JWSAlgorithm alg, String kid, JWTClaimsSet claims) throws Exception {
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(alg).keyID(kid).build(), claims);
    jwt.sign(alg == JWSAlgorithm.ES256 ? new ECDSASigner(ec) : new RSASSASigner(rsa));
    return jwt.serialize();
  }

  @Test
  void acceptsES256AndRS256FromTheIssuersKeySetAndReadsNestedRoles() throws Exception {
    for (JWSAlgorithm alg : List.of(JWSAlgorithm.ES256, JWSAlgorithm.RS256)) {
      Principal p = verifier.verify("Bearer " + sign(alg, alg == JWSAlgorithm.ES256 ? "ec-1" : "rsa-1",
          claims().build()));
      assertEquals("bob", p.subject());
      assertEquals(Set.of("analyst", "offline_access"), p.roles());
      assertEquals("NCR", p.claims().get("region"));
      assertFalse(p.admin());
    }
    assertTrue(FETCHES.get() <= 2, "the key set is cached, fetched " + FETCHES.get() + " times");
  }

  @Test
  void refusesOtherAlgorithmsMissingClaimsAndUnknownKeys() throws Exception {
    assertThrows(UnauthenticatedException.class,
        () -> verifier.verify("Bearer " + sign(JWSAlgorithm.RS384, "rsa-1", claims().build())));
    assertThrows(UnauthenticatedException.class,
        () -> verifier.verify("Bearer " + sign(JWSAlgorithm.RS256, "ec-1", claims().build())));
    assertThrows(UnauthenticatedException.class,
        () -> verifier.verify("Bearer " + sign(JWSAlgorithm.RS256, "rsa-2", claims().build())));
    assertThrows(UnauthenticatedException.class,
        () -> verifier.verify("Bearer " + sign(JWSAlgorithm.RS256, "rsa-1", claims().expirationTime(null).build())));
    assertThrows(UnauthenticatedException.class,
        () -> verifier.verify("Bearer " + sign(JWSAlgorithm.RS256, "rsa-1", claims().audience("account").build())));
    // a subject that names nobody: every action is audited under it
    for (String nobody : new String[] {"", "  "}) {
      assertThrows(UnauthenticatedException.class, () -> verifier.verify("Bearer " + sign(JWSAlgorithm.RS256,
          "rsa-1", claims().subject(nobody).build())));
    }
    // a subject the audit trail could not tell from a name Lakemesh gives (an API key, no credentials), or that
    // is no string, or breaks a line of the trail
    for (Object spoof : new Object[] {"apikey:22cedfbe6085", "anonymous", 42, "evil\nadmin"}) {
      UnauthenticatedException refused = assertThrows(UnauthenticatedException.class, () -> verifier.verify(
          "Bearer " + sign(JWSAlgorithm.RS256, "rsa-1", claims().claim("sub", spoof).build())), String.valueOf(spoof));
      assertTrue(refused.getMessage().startsWith("token subject (sub) "), refused.getMessage());
    }
    assertEquals("apikeys-team", verifier.verify("Bearer " + sign(JWSAlgorithm.RS256, "rsa-1",
        claims().subject("apikeys-team").build())).subject(), "only the prefix with its colon is reserved");
    assertThrows(UnauthenticatedException.class, () -> verifier.verify("Basic Ym9iOnB3"));
    assertThrows(UnauthenticatedException.class, () -> verifier.verify(null));
    // issued a year from now: a token made ahead of time (or by a clock gone wrong), not one of the issuer's
    assertThrows(UnauthenticatedException.class, () -> verifier.verify("Bearer " + sign(JWSAlgorithm.RS256,
        "rsa-1", claims().issueTime(Date.from(Instant.now().plusSeconds(365L * 24 * 3600))).build())));
    assertThrows(UnauthenticatedException.class, () -> verifier.verify("Bearer " + signed(new JWSHeader.Builder(
        JWSAlgorithm.RS256).keyID("rsa-1").type(new JOSEObjectType("id+jwt")).build(), claims().build())));
  }

  @Test
  void acceptsAccessTokensTypedAsJwtOrAtJwtAndATimelyIssueTime() throws Exception {
    for (JOSEObjectType type : java.util.Arrays.asList(JOSEObjectType.JWT, new JOSEObjectType("at+jwt"), null)) {
      Principal p = verifier.verify("Bearer " + signed(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("rsa-1")
          .type(type).build(), claims().issueTime(Date.from(Instant.now().minusSeconds(5))).build()));
      assertEquals("bob", p.subject(), String.valueOf(type));
    }
  }

  static String signed(JWSHeader header, JWTClaimsSet claims) throws Exception {
    SignedJWT jwt = new SignedJWT(header, claims);
    jwt.sign(new RSASSASigner(rsa));
    return jwt.serialize();
  }

  @Test
  void rolesClaimAcceptsAListOrASpaceSeparatedString() {
    assertEquals(Set.of("a", "b"), TokenVerifier.roles(Map.of("roles", List.of("a", "b")), "roles"));
    assertEquals(Set.of("a", "b"), TokenVerifier.roles(Map.of("scope", "a  b"), "scope"));
    assertEquals(Set.of(), TokenVerifier.roles(Map.of("roles", 7), "roles"));
    assertEquals(Set.of(), TokenVerifier.roles(Map.of("x", "y"), "x.y"));
  }

  @Test
  void productionWithoutAKeySetRefusesToStart() {
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> SecuritySettings.from(
        ConfigFactory.parseMap(Map.of("security.mode", "production"))
            .withFallback(ConfigFactory.defaultReference().getConfig("lakemesh"))));
    assertTrue(e.getMessage().contains("jwks-url"), e.getMessage());
    // every missing setting at once, not one per try
    assertTrue(e.getMessage().contains("lakemesh.security.issuer") && e.getMessage().contains("hash-salt"),
        e.getMessage());
    assertTrue(SecuritySettings.production(SecuritySettings.missingForProduction(ConfigFactory.parseMap(Map.of(
        "security.mode", "production")).withFallback(ConfigFactory.defaultReference().getConfig("lakemesh"))))
        .contains("lakemesh.http.tls.keystore"), "a node names the TLS settings it lacks too");
    assertTrue(!e.getMessage().contains("\n"), "one line: " + e.getMessage());
  }
}
