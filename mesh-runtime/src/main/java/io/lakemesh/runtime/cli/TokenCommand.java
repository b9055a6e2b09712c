package io.lakemesh.runtime.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.lakemesh.runtime.security.DevKeys;
import io.lakemesh.runtime.security.SecuritySettings;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code lakemesh token}: mints a dev token with the signing key {@code lakemesh up} generated in the home. Dev
 * mode only: in production tokens come from the OIDC issuer.
 */
@Command(name = "token", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Mint a dev bearer token (dev mode only), e.g. "
        + "lakemesh token --sub alice --role analyst --claim region=NCR --ttl 1h")
public final class TokenCommand implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  @Option(names = "--sub", required = true, paramLabel = "SUBJECT", description = "The token's subject (sub).")
  String subject;

  @Option(names = "--role", paramLabel = "ROLE", description = "A role (repeatable), e.g. analyst, admin.")
  List<String> roles = new ArrayList<>();

  @Option(names = "--claim", paramLabel = "NAME=VALUE",
      description = "An extra claim (repeatable; a repeated name makes a list, as does [a,b] or [a]), e.g."
          + " region=NCR, teams=[red].")
  List<String> claims = new ArrayList<>();

  @Option(names = "--ttl", defaultValue = "1h", paramLabel = "DURATION", converter = TtlConverter.class,
      description = "How long the token is valid: 90s, 30m, 1h, 7d (default 1h, at most 30d).")
  Duration ttl;

  @Option(names = "--home", description = "State directory (env LAKEMESH_HOME, default ./.lakemesh)")
  String home;

  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    Map<String, Object> overrides = new LinkedHashMap<>();
    if (home != null) {
      overrides.put("lakemesh.home", home);
    }
    Config config = ConfigFactory.parseMap(overrides).withFallback(ConfigFactory.load());
    // production needs settings this command never uses: say first that it does not apply there
    if ("production".equalsIgnoreCase(config.getString("lakemesh.security.mode").trim())) {
      err.println("lakemesh: token mints dev tokens only, and lakemesh.security.mode is production: get tokens"
          + " from your OIDC issuer");
      return 1;
    }
    SecuritySettings settings;
    try {
      settings = SecuritySettings.from(config.getConfig("lakemesh"));
    } catch (RuntimeException e) {
      err.println("lakemesh: " + e.getMessage());
      return 1;
    }
    if (subject.isBlank()) {
      // the audit trail names callers by their subject: a token of nobody would act unnamed
      err.println("lakemesh: --sub must name someone (the audit trail records actions under it), not be empty");
      return 2;
    }
    java.util.Optional<String> badSubject = io.lakemesh.runtime.security.TokenVerifier.subjectProblem(subject);
    if (badSubject.isPresent()) {
      err.println("lakemesh: --sub: the token's " + badSubject.get());
      return 2;
    }
    if (roles.stream().anyMatch(String::isBlank)) {
      err.println("lakemesh: --role must name a role, not be empty");
      return 2;
    }
    Path homeDir = Path.of(config.getString("lakemesh.home")).toAbsolutePath();
    Map<String, Object> extra = new LinkedHashMap<>();
    for (String claim : claims) {
      int eq = claim.indexOf('=');
      if (eq <= 0) {
        err.println("lakemesh: --claim needs NAME=VALUE, got '" + claim + "'");
        return 2;
      }
      String name = claim.substring(0, eq).trim();
      String value = claim.substring(eq + 1);
      if (List.of("iss", "aud", "sub", "exp", "nbf", "iat", "jti").contains(name)
          || name.equals(settings.rolesClaim().split("\\.")[0])) {
        err.println("lakemesh: --claim cannot set '" + name + "'; use --sub, --role or --ttl");
        return 2;
      }
      // [a,b] (or [a] for a list of one, as an IdP sends a group claim) is a list; a repeated name adds to it
      Object parsed = value.startsWith("[") && value.endsWith("]")
          ? java.util.Arrays.stream(value.substring(1, value.length() - 1).split(",")).map(String::trim)
              .filter(v -> !v.isEmpty()).map(v -> (Object) v).toList()
          : value;
      extra.merge(name, parsed, (a, b) -> {
        List<Object> list = a instanceof List<?> l ? new ArrayList<>(l) : new ArrayList<>(List.of(a));
        if (b instanceof List<?> more) {
          list.addAll(more);
        } else {
          list.add(b);
        }
        return list;
      });
    }
    Optional<DevKeys> keys;
    try {
      keys = DevKeys.load(homeDir, settings);
    } catch (RuntimeException e) {
      err.println("lakemesh: " + e.getMessage());
      return 1;
    }
    if (keys.isEmpty()) {
      err.println("lakemesh: no dev signing key in " + homeDir + ": start the node once with ./lakemesh up"
          + (home != null ? " --home " + home : "") + " to generate it");
      return 1;
    }
    noteUnknownRoles(config.getConfig("lakemesh"), err);
    spec.commandLine().getOut().println(keys.get().mint(subject, roles, extra, ttl));
    return 0;
  }

  /**
   * A note (the token is minted all the same) for a role no contract this command can see grants: most likely a
   * typo, which would otherwise show only as 403s later. A node started with {@code --contracts} may know more.
   */
  private void noteUnknownRoles(Config lakemesh, PrintWriter err) {
    java.util.Set<String> known = new java.util.TreeSet<>(List.of("admin"));
    try {
      io.lakemesh.runtime.product.ProductCatalog.load(TokenCommand.class.getClassLoader(),
              lakemesh.getStringList("contract-dirs").stream().map(Path::of).toList(),
              lakemesh.getBoolean("builtin-contracts"))
          .all().forEach(p -> p.contract().roles().forEach(g -> known.add(g.role())));
    } catch (RuntimeException | io.lakemesh.contracts.InvalidContractException e) {
      return; // contracts that do not load are the node's to report; the token does not depend on them
    }
    for (String role : roles) {
      if (!known.contains(role)) {
        err.println("lakemesh: note: no contract this command sees grants role '" + role + "' (known: "
            + String.join(", ", known) + io.lakemesh.contracts.Misspelling.closest(role, known, 2)
                .map(k -> "; did you mean '" + k + "'?").orElse("") + "); minted anyway, since a node started"
            + " with --contracts may know it");
      }
    }
  }

  static final class TtlConverter implements CommandLine.ITypeConverter<Duration> {
    private static final Pattern AMOUNT_AND_UNIT = Pattern.compile("(\\d{1,9})(s|m|h|d)");
    static final Duration MAX_TTL = Duration.ofDays(30);

    @Override
    public Duration convert(String value) {
      Matcher m = AMOUNT_AND_UNIT.matcher(value.trim());
      if (!m.matches() || Long.parseLong(m.group(1)) == 0) {
        throw new CommandLine.TypeConversionException("'" + value + "' is not " + (m.matches() ? "a positive duration"
            : "a duration") + "; use a number and a unit (s, m, h or d), e.g. 90s, 30m, 1h, 7d");
      }
      long n = Long.parseLong(m.group(1));
      Duration ttl = switch (m.group(2)) {
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        case "h" -> Duration.ofHours(n);
        default -> Duration.ofDays(n);
      };
      if (ttl.compareTo(MAX_TTL) > 0) {
        // a dev token is for trying things out; one that outlives the home's data is a credential left lying around
        throw new CommandLine.TypeConversionException("'" + value + "' is longer than a dev token may live (at most"
            + " 30d); mint a new one when it expires");
      }
      return ttl;
    }
  }
}
