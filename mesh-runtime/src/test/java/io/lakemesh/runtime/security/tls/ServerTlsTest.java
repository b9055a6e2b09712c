package io.lakemesh.runtime.security.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
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

  /** A PKCS#12 keystore {@code <alias>.p12} with a self-signed RSA key for localhost, password pw-123456. */
  private Path keystore(String alias) throws Exception {
    return keystore(alias, 1);
  }

  /** As {@link #keystore(String)}, valid for {@code days} from now. */
  private Path keystore(String alias, int days) throws Exception {
    Path p12 = dir.resolve(alias + ".p12");
    Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
        "-genkeypair", "-alias", alias, "-keyalg", "RSA", "-keysize", "2048", "-validity", Integer.toString(days),
        "-dname",
        "CN=localhost", "-storetype", "PKCS12", "-keystore", p12.toString(), "-storepass", "pw-123456", "-keypass",
        "pw-123456").redirectErrorStream(true).start();
    keytool.getInputStream().readAllBytes();
    assertTrue(keytool.waitFor(60, TimeUnit.SECONDS) && keytool.exitValue() == 0);
    return p12;
  }

  @Test
  void aCertificateOutsideItsValidityOrNearItsEndIsSaidAtStart() throws Exception {
    java.security.KeyStore store = java.security.KeyStore.getInstance("PKCS12");
    try (java.io.InputStream in = Files.newInputStream(keystore("days", 1))) {
      store.load(in, "pw-123456".toCharArray());
    }
    java.time.Instant now = java.time.Instant.now();
    assertTrue(ServerTls.sayValidity(store, now).get(0).contains("expires on"), "a day left");
    assertTrue(ServerTls.sayValidity(store, now.plus(java.time.Duration.ofDays(3))).get(0).contains("expired on"));
    assertTrue(ServerTls.sayValidity(store, now.minus(java.time.Duration.ofDays(3))).get(0)
        .contains("valid only from"));
    java.security.KeyStore year = java.security.KeyStore.getInstance("PKCS12");
    try (java.io.InputStream in = Files.newInputStream(keystore("year", 365))) {
      year.load(in, "pw-123456".toCharArray());
    }
    assertEquals(java.util.List.of(), ServerTls.sayValidity(year, java.time.Instant.now()), "nothing to say");
  }

  @Test
  void pkcs12WithPasswordFileAndProtocolChecks() throws Exception {
    Path p12 = keystore("s");
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

  /**
   * A PEM key encrypted as OpenSSL 3 does by default (PBES2: PBKDF2-HMAC-SHA256 with AES-256) and as older tools do
   * (PBES1, PBEWithSHA1AndDESede): both are read with their password; a wrong one says so.
   */
  @Test
  void encryptedPemKeysOfBothSchemesAreRead() throws Exception {
    Path p12 = keystore("k");
    java.security.KeyStore store = java.security.KeyStore.getInstance("PKCS12");
    try (var in = Files.newInputStream(p12)) {
      store.load(in, "pw-123456".toCharArray());
    }
    java.util.Base64.Encoder base64 = java.util.Base64.getMimeEncoder(64, "\n".getBytes());
    Path cert = dir.resolve("cert.pem");
    Files.writeString(cert, "-----BEGIN CERTIFICATE-----\n"
        + base64.encodeToString(store.getCertificate("k").getEncoded()) + "\n-----END CERTIFICATE-----\n");
    byte[] plain = store.getKey("k", "pw-123456".toCharArray()).getEncoded();
    Path password = dir.resolve("key-password");
    Files.writeString(password, "s3cret\n");
    for (String scheme : java.util.List.of("PBEWithHmacSHA256AndAES_256", "PBEWithSHA1AndDESede")) {
      javax.crypto.Cipher cipher = javax.crypto.Cipher.getInstance(scheme);
      cipher.init(javax.crypto.Cipher.ENCRYPT_MODE, javax.crypto.SecretKeyFactory.getInstance(scheme)
          .generateSecret(new javax.crypto.spec.PBEKeySpec("s3cret".toCharArray())),
          new javax.crypto.spec.PBEParameterSpec(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}, 2048));
      // the JDK names PBES2 keys' algorithm by the scheme (as OpenSSL writes them), not by the cipher's name
      java.security.AlgorithmParameters parameters = java.security.AlgorithmParameters.getInstance(
          scheme.startsWith("PBEWithHmac") ? "PBES2" : scheme);
      parameters.init(cipher.getParameters().getEncoded());
      byte[] encrypted = new javax.crypto.EncryptedPrivateKeyInfo(parameters, cipher.doFinal(plain)).getEncoded();
      Path key = dir.resolve(scheme + ".pem");
      Files.writeString(key, "-----BEGIN ENCRYPTED PRIVATE KEY-----\n" + base64.encodeToString(encrypted)
          + "\n-----END ENCRYPTED PRIVATE KEY-----\n");
      Map<String, Object> settings = Map.of("lakemesh.http.tls.certificate", cert.toString(),
          "lakemesh.http.tls.private-key", key.toString(), "lakemesh.http.tls.password-file", password.toString());
      assertTrue(ServerTls.from(lakemesh(settings), "127.0.0.1").isPresent(), scheme);
      Files.writeString(password, "wrong\n");
      ServerTls.TlsConfigException wrong = assertThrows(ServerTls.TlsConfigException.class,
          () -> ServerTls.from(lakemesh(settings), "127.0.0.1"), scheme);
      assertTrue(wrong.getMessage().equals("cannot decrypt " + key + ": wrong password?"), wrong.getMessage());
      Files.writeString(password, "s3cret\n");
    }
  }
}
