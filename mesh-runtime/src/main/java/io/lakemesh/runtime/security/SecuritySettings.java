package io.lakemesh.runtime.security;

import com.typesafe.config.Config;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/**
 * The {@code lakemesh.security} settings.
 *
 * @param mode {@code dev}: a signing key of our own in {@code $LAKEMESH_HOME}; {@code production}: an OIDC issuer's
 *     JWKS
 * @param jwksUrl where the issuer publishes its keys (production only)
 * @param issuer the {@code iss} every token must carry
 * @param audience the {@code aud} every token must contain
 * @param rolesClaim dotted path of the claim with the caller's roles, e.g. {@code realm_access.roles}
 * @param adminRole the platform role that may do everything on every product
 * @param clockSkew tolerance on {@code exp} and {@code nbf}
 * @param hashSalt secret salt of {@code hash} masks; empty in dev means one generated in the home
 * @param devTokenTtl lifetime of the dev admin token written at start
 */
public record SecuritySettings(Mode mode, String jwksUrl, String issuer, String audience, String rolesClaim,
    String adminRole, Duration clockSkew, String hashSalt, Duration devTokenTtl) {

  /** The issuer of dev tokens when none is configured. */
  public static final String DEV_ISSUER = "lakemesh-dev";

  public enum Mode { DEV, PRODUCTION }

  /** Reads {@code lakemesh.security}; refuses a production configuration that lacks what production needs. */
  public static SecuritySettings from(Config lakemesh) {
    Config c = lakemesh.getConfig("security");
    String modeName = c.getString("mode").trim().toLowerCase(Locale.ROOT);
    Mode mode = switch (modeName) {
      case "dev" -> Mode.DEV;
      case "production" -> Mode.PRODUCTION;
      default -> throw new IllegalStateException("lakemesh.security.mode must be dev or production, got '"
          + modeName + "'");
    };
    String issuer = c.getString("issuer").trim();
    SecuritySettings s = new SecuritySettings(mode, c.getString("jwks-url").trim(),
        issuer.isEmpty() && mode == Mode.DEV ? DEV_ISSUER : issuer, c.getString("audience").trim(),
        c.getString("roles-claim").trim(), c.getString("admin-role").trim(), c.getDuration("clock-skew"),
        c.getString("hash-salt"), c.getDuration("dev-token-ttl"));
    if (mode == Mode.PRODUCTION) {
      if (s.jwksUrl.isEmpty()) {
        throw new IllegalStateException("lakemesh.security.mode = production needs lakemesh.security.jwks-url"
            + " (env LAKEMESH_JWKS_URL): the OIDC issuer's key set");
      }
      if (s.issuer.isEmpty()) {
        throw new IllegalStateException("lakemesh.security.mode = production needs lakemesh.security.issuer"
            + " (env LAKEMESH_ISSUER)");
      }
      if (s.hashSalt.isBlank()) {
        throw new IllegalStateException("lakemesh.security.mode = production needs lakemesh.security.hash-salt"
            + " (env LAKEMESH_HASH_SALT): the secret that salts hashed columns on every node");
      }
    }
    if (s.audience.isEmpty()) {
      throw new IllegalStateException("lakemesh.security.audience must not be empty");
    }
    return s;
  }

  public boolean dev() {
    return mode == Mode.DEV;
  }

  /** Where the dev signing key lives. */
  public static Path devKeyFile(Path home) {
    return home.resolve("dev-signing-key.jwk");
  }

  /** Where the dev admin token is written at start. */
  public static Path devAdminTokenFile(Path home) {
    return home.resolve("dev-admin.jwt");
  }
}
