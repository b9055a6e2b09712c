package io.lakemesh.runtime.security.tls;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerTlsTest {
  @TempDir
  Path dir;

  private static Config lakemesh(Map<String, Object> overrides) {
    return ConfigFactory.parseMap(overrides).withFallback(ConfigFactory.load()).getConfig("lakemesh");
  }

  @Test
  void productionRefusesPlainHttpUnlessTurnedOffExplicitly() {
    ServerTls.TlsConfigException e = assertThrows(ServerTls.TlsConfigException.class,
        () -> ServerTls.from(lakemesh(Map.of("lakemesh.security.mode", "production")), "127.0.0.1"));
    assertTrue(e.getMessage().contains("lakemesh.http.tls.disabled = true"), e.getMessage());
    assertFalse(ServerTls.from(lakemesh(Map.of("lakemesh.security.mode", "production",
        "lakemesh.http.tls.disabled", true)), "0.0.0.0").isPresent());
    assertFalse(ServerTls.from(lakemesh(Map.of()), "127.0.0.1").isPresent(), "dev: plain HTTP on loopback");
  }

  @Test
  void pkcs12WithPasswordFileAndProtocolChecks() throws Exception {
    Path p12 = dir.resolve("s.p12");
    Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
        "-genkeypair", "-alias", "s", "-keyalg", "RSA", "-keysize", "2048", "-validity", "1", "-dname", "CN=localhost",
        "-storetype", "PKCS12", "-keystore", p12.toString(), "-storepass", "pw-123456", "-keypass", "pw-123456")
        .redirectErrorStream(true).start();
    keytool.getInputStream().readAllBytes();
    assertTrue(keytool.waitFor(60, TimeUnit.SECONDS) && keytool.exitValue() == 0);
    Path password = dir.resolve("password");
    Files.writeString(password, "pw-123456\n");
    assertTrue(ServerTls.from(lakemesh(Map.of("lakemesh.security.mode", "production",
        "lakemesh.http.tls.keystore", p12.toString(),
        "lakemesh.http.tls.password-file", password.toString())), "0.0.0.0").isPresent());

    Files.writeString(password, "hunter2-secret");
    ServerTls.TlsConfigException wrong = assertThrows(ServerTls.TlsConfigException.class, () -> ServerTls.from(
        lakemesh(Map.of("lakemesh.http.tls.keystore", p12.toString(),
            "lakemesh.http.tls.password-file", password.toString())), "127.0.0.1"));
    assertFalse(wrong.getMessage().contains("hunter2"), "no secret in the message: " + wrong.getMessage());
    assertTrue(wrong.getMessage().contains("cannot read the keystore"), wrong.getMessage());

    // With the right password again, so the only thing wrong with this config is the protocol list: a refusal
    // for any other reason (the keystore, say) would not show that TLSv1.1 is refused.
    Files.writeString(password, "pw-123456\n");
    ServerTls.TlsConfigException oldProtocol = assertThrows(ServerTls.TlsConfigException.class,
        () -> ServerTls.from(lakemesh(Map.of(
            "lakemesh.http.tls.keystore", p12.toString(), "lakemesh.http.tls.password-file", password.toString(),
            "lakemesh.http.tls.protocols", java.util.List.of("TLSv1.1"))), "127.0.0.1"));
    assertTrue(oldProtocol.getMessage().contains("protocols must list TLSv1.3 and/or TLSv1.2"),
        oldProtocol.getMessage());
  }
}
