package io.lakemesh.retail;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/** Tokens an attacker or a legitimate caller would send, made with the node's dev key (or without it). */
final class Tokens {
  private final RSAKey devKey;
  private final RSAKey otherKey;

  Tokens(Path home) throws Exception {
    devKey = (RSAKey) JWK.parse(Files.readString(home.resolve("dev-signing-key.jwk")));
    otherKey = new RSAKeyGenerator(2048).keyID(devKey.getKeyID()).generate();
  }

  static JWTClaimsSet.Builder claims(List<String> roles, Map<String, Object> extra) {
    Instant now = Instant.now();
    JWTClaimsSet.Builder b = new JWTClaimsSet.Builder().issuer("lakemesh-dev").audience("lakemesh")
        .subject("tester").issueTime(Date.from(now)).notBeforeTime(Date.from(now.minusSeconds(5)))
        .expirationTime(Date.from(now.plus(Duration.ofMinutes(10)))).claim("roles", roles);
    extra.forEach(b::claim);
    return b;
  }

  String valid(List<String> roles, Map<String, Object> extra) throws Exception {
    return sign(devKey, devKey.getKeyID(), claims(roles, extra).build());
  }

  String valid(String... roles) throws Exception {
    return valid(List.of(roles), Map.of());
  }

  String with(UnaryOperator<JWTClaimsSet.Builder> change, String... roles) throws Exception {
    return sign(devKey, devKey.getKeyID(), change.apply(claims(List.of(roles), Map.of())).build());
  }

  /** Signed by a key that is not the node's, under the node key's kid. */
  String forged(String... roles) throws Exception {
    return sign(otherKey, devKey.getKeyID(), claims(List.of(roles), Map.of()).build());
  }

  /** The node's key, but a kid the node does not know. */
  String unknownKid(String... roles) throws Exception {
    return sign(devKey, "not-a-known-kid", claims(List.of(roles), Map.of()).build());
  }

  String algNone(String... roles) {
    return new PlainJWT(claims(List.of(roles), Map.of()).build()).serialize();
  }

  /** HS256 with the node's public key bytes as the HMAC secret: the classic RSA/HMAC key confusion. */
  String keyConfusion(String... roles) throws Exception {
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(devKey.getKeyID())
        .type(JOSEObjectType.JWT).build(), claims(List.of(roles), Map.of()).build());
    jwt.sign(new MACSigner(devKey.toRSAPublicKey().getEncoded()));
    return jwt.serialize();
  }

  /** The valid token with its payload swapped (signature no longer matches). */
  String tampered(String... roles) throws Exception {
    String[] honest = valid().split("\\.");
    String[] wanted = valid(roles).split("\\.");
    return honest[0] + "." + wanted[1] + "." + honest[2];
  }

  private static String sign(RSAKey key, String kid, JWTClaimsSet claims) throws Exception {
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(kid).type(JOSEObjectType.JWT)
        .build(), claims);
    jwt.sign(new RSASSASigner(key));
    return jwt.serialize();
  }
}
