package io.lakemesh.runtime.security;

import com.typesafe.config.Config;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
      List<String> missing = missingSecurity(c);
      if (!missing.isEmpty()) {
        throw new IllegalStateException(production(missing));
      }
    }
    if (s.audience.isEmpty()) {
      throw new IllegalStateException("lakemesh.security.audience must not be empty");
    }
    return s;
  }

  /**
   * Every setting a production node lacks, TLS included, so one start names them all (not one per try); empty in dev
   * mode or when nothing is missing.
   */
  public static List<String> missingForProduction(Config lakemesh) {
    List<String> missing = new ArrayList<>();
    if (!"production".equalsIgnoreCase(lakemesh.getString("security.mode").trim())) {
      return missing;
    }
    io.lakemesh.runtime.security.tls.ServerTls.missingInProduction(lakemesh).ifPresent(missing::add);
    missing.addAll(missingSecurity(lakemesh.getConfig("security")));
    return missing;
  }

  /** What {@code lakemesh.security} lacks for production. */
  private static List<String> missingSecurity(Config c) {
    List<String> missing = new ArrayList<>();
    if (c.getString("jwks-url").isBlank()) {
      missing.add("lakemesh.security.jwks-url (env LAKEMESH_JWKS_URL): the OIDC issuer's key set");
    }
    if (c.getString("issuer").isBlank()) {
      missing.add("lakemesh.security.issuer (env LAKEMESH_ISSUER)");
    }
    if (c.getString("hash-salt").isBlank()) {
      missing.add("lakemesh.security.hash-salt (env LAKEMESH_HASH_SALT): the secret that salts hashed columns on"
          + " every node");
    }
    return missing;
  }

  /** The one line that names what a production node lacks. */
  public static String production(List<String> missing) {
    return "lakemesh.security.mode = production needs " + String.join("; and ", missing);
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
