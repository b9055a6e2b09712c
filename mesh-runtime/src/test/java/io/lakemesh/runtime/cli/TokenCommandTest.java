package io.lakemesh.runtime.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.lakemesh.runtime.security.DevKeys;
import io.lakemesh.runtime.security.Principal;
import io.lakemesh.runtime.security.SecuritySettings;
import io.lakemesh.runtime.security.TokenVerifier;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class TokenCommandTest {
  @TempDir
  Path home;

  record Run(int code, String out, String err) {}

  static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = new CommandLine(new TokenCommand());
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    int code = cli.execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  static SecuritySettings devSettings() {
    return SecuritySettings.from(ConfigFactory.defaultReference().getConfig("lakemesh"));
  }

  @Test
  void refusesWithOneLineWhenTheHomeHasNoDevKey() {
    Run r = run("--sub", "alice", "--role", "analyst", "--home", home.toString());
    assertEquals(1, r.code());
    assertEquals(1, r.err().strip().lines().count(), r.err());
    assertTrue(r.err().contains("no dev signing key"), r.err());
    assertEquals("", r.out());
  }

  @Test
  void mintsATokenTheNodeAccepts() throws Exception {
    SecuritySettings settings = devSettings();
    DevKeys keys = DevKeys.loadOrCreate(home, settings);
    Run r = run("--sub", "alice", "--role", "analyst", "--claim", "region=NCR", "--ttl", "1h",
        "--home", home.toString());
    assertEquals(0, r.code(), r.err());
    Principal p = TokenVerifier.local(keys.publicKeys(), settings).verify("Bearer " + r.out().trim());
    assertEquals("alice", p.subject());
    assertEquals(Set.of("analyst"), p.roles());
    assertEquals("NCR", p.claims().get("region"));
  }

  @Test
  void aSubjectLakemeshGivesCallersItselfIsRefused() throws Exception {
    DevKeys.loadOrCreate(home, devSettings());
    for (String sub : new String[] {"apikey:abc", "anonymous"}) {
      Run r = run("--sub", sub, "--role", "admin", "--home", home.toString());
      assertEquals(2, r.code(), r.err());
      assertTrue(r.err().startsWith("lakemesh: --sub: the token's subject (sub) '" + sub + "' is a name Lakemesh"
          + " gives callers itself"), r.err());
      assertEquals("", r.out());
    }
  }

  @Test
  void aRoleNoContractGrantsIsNotedButMinted() throws Exception {
    DevKeys.loadOrCreate(home, devSettings());
    Run typo = run("--sub", "alice", "--role", "admn", "--home", home.toString());
    assertEquals(0, typo.code(), typo.err());
    assertTrue(!typo.out().isBlank(), "minted all the same");
    assertTrue(typo.err().startsWith("lakemesh: note: no contract this command sees grants role 'admn' (known: admin"),
        typo.err());
    assertTrue(typo.err().contains("did you mean 'admin'?"), typo.err());
    Run known = run("--sub", "alice", "--role", "admin", "--home", home.toString());
    assertEquals("", known.err());
  }

  @Test
  void aClaimInBracketsIsAListAlsoOfOneValue() throws Exception {
    SecuritySettings settings = devSettings();
    DevKeys keys = DevKeys.loadOrCreate(home, settings);
    Run r = run("--sub", "bob", "--claim", "teams=[red]", "--claim", "sites=[ a, b ]", "--claim", "sites=c",
        "--claim", "none=[]", "--home", home.toString());
    assertEquals(0, r.code(), r.err());
    Principal p = TokenVerifier.local(keys.publicKeys(), settings).verify("Bearer " + r.out().trim());
    assertEquals(java.util.List.of("red"), p.claims().get("teams"), "a list of one, as a row filter's 'in' needs");
    assertEquals(java.util.List.of("a", "b", "c"), p.claims().get("sites"));
    assertEquals(java.util.List.of(), p.claims().get("none"));
  }

  @Test
  void refusesInProduction() {
    DevKeys.loadOrCreate(home, devSettings());
    // none of production's settings: the answer is that tokens come from the issuer, not which settings it lacks
    Map<String, String> props = Map.of("lakemesh.security.mode", "production");
    props.forEach(System::setProperty);
    ConfigFactory.invalidateCaches();
    try {
      Run r = run("--sub", "alice", "--role", "admin", "--home", home.toString());
      assertEquals(1, r.code());
      assertTrue(r.err().contains("token mints dev tokens only, and lakemesh.security.mode is production: get tokens"
          + " from your OIDC issuer"), r.err());
      assertEquals(1, r.err().strip().lines().count(), r.err());
    } finally {
      props.keySet().forEach(System::clearProperty);
      ConfigFactory.invalidateCaches();
    }
  }

  @Test
  void refusesABadClaimOrTtlAsUsage() {
    DevKeys.loadOrCreate(home, devSettings());
    assertEquals(2, run("--sub", "a", "--claim", "nonsense", "--home", home.toString()).code());
    assertEquals(2, run("--sub", "a", "--claim", "iss=me", "--home", home.toString()).code());
    assertEquals(2, run("--sub", "a", "--ttl", "forever", "--home", home.toString()).code());
    // a unit it does not know is not "not positive"
    Run years = run("--sub", "a", "--ttl", "5y", "--home", home.toString());
    assertEquals(2, years.code());
    assertTrue(years.err().contains("'5y' is not a duration; use a number and a unit (s, m, h or d)"), years.err());
    assertTrue(run("--sub", "a", "--ttl", "0h", "--home", home.toString()).err()
        .contains("'0h' is not a positive duration"));
    Run forever = run("--sub", "a", "--role", "admin", "--ttl", "99999999d", "--home", home.toString());
    assertEquals(2, forever.code());
    assertTrue(forever.err().contains("longer than a dev token may live (at most 30d)"), forever.err());
    assertEquals(0, run("--sub", "a", "--ttl", "30d", "--home", home.toString()).code());
    Run nobody = run("--sub", "", "--role", "admin", "--home", home.toString());
    assertEquals(2, nobody.code());
    assertTrue(nobody.err().startsWith("lakemesh: --sub must name someone"), nobody.err());
    assertEquals(2, run("--sub", "a", "--role", "", "--home", home.toString()).code());
  }
}
