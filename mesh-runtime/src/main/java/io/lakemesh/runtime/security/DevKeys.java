package io.lakemesh.runtime.security;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The dev-mode signing key: an RSA key generated on first start in {@code $LAKEMESH_HOME/dev-signing-key.jwk}
 * (readable by the owner only), which mints dev tokens ({@code lakemesh token}, the dev admin token) and whose
 * public half is the key set the node verifies tokens against.
 */
public final class DevKeys {
  private final RSAKey key;
  private final SecuritySettings settings;

  private DevKeys(RSAKey key, SecuritySettings settings) {
    this.key = key;
    this.settings = settings;
  }

  /** The home's key, generated when the home has none. */
  public static DevKeys loadOrCreate(Path home, SecuritySettings settings) {
    Path file = SecuritySettings.devKeyFile(home);
    Optional<DevKeys> existing = load(home, settings);
    if (existing.isPresent()) {
      return existing.get();
    }
    RSAKey key;
    try {
      key = new RSAKeyGenerator(2048).keyUse(KeyUse.SIGNATURE).algorithm(JWSAlgorithm.RS256)
          .keyID(UUID.randomUUID().toString()).generate();
    } catch (JOSEException e) {
      throw new IllegalStateException("cannot generate the dev signing key", e);
    }
    writeOwnerOnly(file, key.toJSONString());
    return new DevKeys(key, settings);
  }

  /** The home's key; empty when the home has none. */
  public static Optional<DevKeys> load(Path home, SecuritySettings settings) {
    Path file = SecuritySettings.devKeyFile(home);
    if (Files.exists(file) && !Files.isRegularFile(file)) {
      throw new IllegalStateException("cannot read the dev signing key " + file + ": not a file (remove it; the"
          + " node makes a new key at its next start)");
    }
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    try {
      JWK jwk = JWK.parse(Files.readString(file, StandardCharsets.UTF_8));
      if (!(jwk instanceof RSAKey rsa) || !rsa.isPrivate()) {
        throw new IllegalStateException(file + " is not a private RSA key; delete it to get a new one");
      }
      return Optional.of(new DevKeys(rsa, settings));
    } catch (IOException | ParseException e) {
      throw new IllegalStateException("cannot read the dev signing key " + file + ": " + (e instanceof IOException failed
          ? io.lakemesh.contracts.IoReasons.of(failed) : e.getMessage()), e);
    }
  }

  /** The public key set tokens are verified against. */
  public JWKSet publicKeys() {
    return new JWKSet(key.toPublicJWK());
  }

  /** The key id minted tokens carry. */
  public String keyId() {
    return key.getKeyID();
  }

  /**
   * A signed token for {@code subject} with {@code roles} (at the configured roles claim) and extra claims, valid
   * from now for {@code ttl}.
   */
  public String mint(String subject, Collection<String> roles, Map<String, ?> claims, Duration ttl) {
    Instant now = Instant.now();
    JWTClaimsSet.Builder builder = new JWTClaimsSet.Builder()
        .issuer(settings.issuer())
        .audience(settings.audience())
        .subject(subject)
        .issueTime(Date.from(now))
        .notBeforeTime(Date.from(now))
        .expirationTime(Date.from(now.plus(ttl)))
        .jwtID(UUID.randomUUID().toString());
    claims.forEach(builder::claim);
    putRoles(builder, settings.rolesClaim(), List.copyOf(roles));
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID())
        .type(JOSEObjectType.JWT).build(), builder.build());
    try {
      jwt.sign(new RSASSASigner(key));
    } catch (JOSEException e) {
      throw new IllegalStateException("cannot sign a dev token", e);
    }
    return jwt.serialize();
  }

  /**
   * Writes the dev admin token (platform admin role) to {@code $LAKEMESH_HOME/dev-admin.jwt}, unless a token there
   * is still valid for a day; returns the file.
   */
  public Path writeAdminToken(Path home) {
    Path file = SecuritySettings.devAdminTokenFile(home);
    try {
      if (Files.isRegularFile(file)) {
        try {
          SignedJWT existing = SignedJWT.parse(Files.readString(file).trim());
          Date exp = existing.getJWTClaimsSet().getExpirationTime();
          if (keyId().equals(existing.getHeader().getKeyID())
              && settings.issuer().equals(existing.getJWTClaimsSet().getIssuer())
              && exp != null && exp.toInstant().isAfter(Instant.now().plus(Duration.ofDays(1)))) {
            return file;
          }
        } catch (ParseException e) {
          // not a token: replace it
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + file + ": " + e.getMessage(), e);
    }
    writeOwnerOnly(file, mint("dev-admin", List.of(settings.adminRole()), Map.of(), settings.devTokenTtl()) + "\n");
    return file;
  }

  private static void putRoles(JWTClaimsSet.Builder builder, String path, List<String> roles) {
    String[] parts = path.split("\\.");
    if (parts.length == 1) {
      builder.claim(path, roles);
      return;
    }
    // realm_access.roles → {"realm_access": {"roles": [...]}}
    Object value = roles;
    for (int i = parts.length - 1; i >= 1; i--) {
      value = Map.of(parts[i], value);
    }
    builder.claim(parts[0], value);
  }

  /** Writes a secret so that it is never readable by others, not even for a moment. */
  static void writeOwnerOnly(Path file, String content) {
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      Path tmp = file.resolveSibling(file.getFileName() + "." + UUID.randomUUID() + ".tmp");
      try {
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      } catch (UnsupportedOperationException e) {
        Files.createFile(tmp); // not a POSIX file system (Windows): the user's profile ACLs apply
      }
      Files.writeString(tmp, content, StandardCharsets.UTF_8);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (FileAlreadyExistsException e) {
      throw new IllegalStateException("cannot write " + file + ": a temporary file is in the way", e);
    } catch (IOException e) {
      throw new IllegalStateException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }
}
