package io.lakemesh.runtime.security.tls;

import com.typesafe.config.Config;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.EncryptedPrivateKeyInfo;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import org.apache.pekko.http.javadsl.ConnectionContext;
import org.apache.pekko.http.javadsl.HttpsConnectionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTPS side of the API from {@code lakemesh.http.tls}: a certificate and key from PEM files or a PKCS#12
 * keystore, TLS 1.3 only unless TLS 1.2 is listed explicitly. Passwords come from a file or an environment
 * variable, never from the configuration text itself, and are never logged or put in an error message.
 *
 * <p>Plain HTTP is for development: in {@code lakemesh.security.mode = production} a node without TLS refuses to
 * start unless {@code lakemesh.http.tls.disabled = true} says so (e.g. behind a TLS-terminating proxy).
 */
public final class ServerTls {
  private static final Logger LOG = LoggerFactory.getLogger(ServerTls.class);
  private static final Set<String> ALLOWED_PROTOCOLS = Set.of("TLSv1.3", "TLSv1.2");
  private static final Pattern PEM = Pattern.compile(
      "-----BEGIN ([A-Z ]+)-----(?:\\s*[A-Za-z-]+: [^\\n]*)*([A-Za-z0-9+/=\\s]+)-----END \\1-----");

  /** The configuration cannot serve as asked; the message says what to change (and holds no secret). */
  public static final class TlsConfigException extends RuntimeException {
    public TlsConfigException(String message) {
      super(message);
    }
  }

  private ServerTls() {}

  /**
   * What a production node lacks to serve HTTPS (the settings to give), or empty: no certificate or keystore, and
   * TLS not turned off on purpose (a proxy terminating it).
   */
  public static Optional<String> missingInProduction(Config lakemesh) {
    boolean production = "production".equalsIgnoreCase(lakemesh.getString("security.mode").trim());
    return production && !configured(lakemesh) && !lakemesh.getBoolean("http.tls.disabled")
        ? Optional.of("lakemesh.http.tls.certificate and lakemesh.http.tls.private-key (PEM) or"
            + " lakemesh.http.tls.keystore (PKCS#12), or lakemesh.http.tls.disabled = true if a proxy terminates TLS")
        : Optional.empty();
  }

  /** Whether a certificate or keystore is configured, i.e. whether the ports serve HTTPS. */
  public static boolean configured(Config lakemesh) {
    Config tls = lakemesh.getConfig("http.tls");
    return !tls.getString("certificate").isBlank() || !tls.getString("keystore").isBlank();
  }

  /**
   * The HTTPS context to bind the API with, or empty for plain HTTP where that is allowed.
   *
   * @param lakemesh the {@code lakemesh} config block
   * @param host     the interface the API binds
   */
  public static Optional<HttpsConnectionContext> from(Config lakemesh, String host) {
    Config tls = lakemesh.getConfig("http.tls");
    boolean disabled = tls.getBoolean("disabled");
    if (!configured(lakemesh)) {
      Optional<String> missing = missingInProduction(lakemesh);
      if (missing.isPresent()) {
        throw new TlsConfigException("production mode refuses to serve plain HTTP: set " + missing.get());
      }
      if (!disabled && !isLoopback(host)) {
        LOG.warn("serving plain HTTP on {}, which is not a loopback interface; configure lakemesh.http.tls"
            + " (or set lakemesh.http.tls.disabled = true to silence this)", host);
      }
      return Optional.empty();
    }
    if (disabled) {
      throw new TlsConfigException("lakemesh.http.tls.disabled = true but a certificate or keystore is configured;"
          + " remove one of the two");
    }
    List<String> protocols = tls.getStringList("protocols");
    if (protocols.isEmpty() || !ALLOWED_PROTOCOLS.containsAll(protocols)) {
      throw new TlsConfigException("lakemesh.http.tls.protocols must list TLSv1.3 and/or TLSv1.2, got " + protocols);
    }
    SSLContext context = sslContext(tls);
    String[] enabled = protocols.toArray(String[]::new);
    LOG.info("serving HTTPS with {}", protocols);
    return Optional.of(ConnectionContext.httpsServer(() -> {
      SSLEngine engine = context.createSSLEngine();
      engine.setUseClientMode(false);
      engine.setEnabledProtocols(enabled);
      return engine;
    }));
  }

  /** The server's SSL context from the PEM files or the keystore the config names. */
  public static SSLContext sslContext(Config tls) {
    try {
      KeyStore store;
      char[] password = password(tls);
      if (!tls.getString("keystore").isBlank()) {
        Path path = Path.of(tls.getString("keystore"));
        store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(path)) {
          store.load(in, password);
        } catch (IOException e) {
          throw new TlsConfigException("cannot read the keystore " + path + " (wrong password or not PKCS#12?)");
        }
      } else {
        if (tls.getString("private-key").isBlank()) {
          throw new TlsConfigException("lakemesh.http.tls.certificate needs lakemesh.http.tls.private-key");
        }
        Certificate[] chain = certificates(Path.of(tls.getString("certificate")));
        PrivateKey key = privateKey(Path.of(tls.getString("private-key")), password);
        password = new char[0];
        store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry("lakemesh", key, password, chain);
      }
      sayValidity(store, java.time.Instant.now());
      KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      keys.init(store, password);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keys.getKeyManagers(), null, null);
      return context;
    } catch (GeneralSecurityException | IOException e) {
      // exception messages of key stores may echo file contents but not passwords; keep only the class
      throw new TlsConfigException("cannot set up TLS from lakemesh.http.tls: " + e.getClass().getSimpleName());
    }
  }

  /** How long before its end a certificate's coming expiry is said at start. */
  static final java.time.Duration EXPIRY_WARNING = java.time.Duration.ofDays(14);

  /**
   * Says at start when the server's certificate is outside its validity, or ends within {@link #EXPIRY_WARNING}:
   * every client refuses an expired one, which otherwise shows only as their handshake failures.
   *
   * @return what was said, for tests; empty when the certificate is valid for longer
   */
  static java.util.List<String> sayValidity(KeyStore store, java.time.Instant now) throws GeneralSecurityException {
    java.util.List<String> said = new java.util.ArrayList<>();
    for (String alias : java.util.Collections.list(store.aliases())) {
      if (!(store.getCertificate(alias) instanceof java.security.cert.X509Certificate cert)) {
        continue;
      }
      String who = cert.getSubjectX500Principal().getName();
      java.time.Instant end = cert.getNotAfter().toInstant();
      java.time.Instant start = cert.getNotBefore().toInstant();
      if (end.isBefore(now)) {
        said.add("the TLS certificate of " + who + " expired on " + end + ": every client refuses it; renew it");
        LOG.error(said.get(said.size() - 1));
      } else if (start.isAfter(now)) {
        said.add("the TLS certificate of " + who + " is valid only from " + start + ": clients refuse it until then"
            + " (is this machine's clock right?)");
        LOG.error(said.get(said.size() - 1));
      } else if (end.isBefore(now.plus(EXPIRY_WARNING))) {
        said.add("the TLS certificate of " + who + " expires on " + end + ": renew it before then");
        LOG.warn(said.get(said.size() - 1));
      }
    }
    return said;
  }

  /** The key or keystore password: from {@code password-file}, else the variable {@code password-env} names. */
  private static char[] password(Config tls) throws IOException {
    String file = tls.getString("password-file");
    if (!file.isBlank()) {
      return Files.readString(Path.of(file), StandardCharsets.UTF_8).strip().toCharArray();
    }
    String env = tls.getString("password-env");
    String value = env.isBlank() ? null : System.getenv(env);
    return value == null ? new char[0] : value.toCharArray();
  }

  private static Certificate[] certificates(Path pem) throws IOException, GeneralSecurityException {
    try (InputStream in = Files.newInputStream(pem)) {
      Certificate[] chain = CertificateFactory.getInstance("X.509").generateCertificates(in)
          .toArray(Certificate[]::new);
      if (chain.length == 0) {
        throw new TlsConfigException("no certificate in " + pem);
      }
      return chain;
    }
  }

  private static PrivateKey privateKey(Path pem, char[] password) throws IOException, GeneralSecurityException {
    Matcher m = PEM.matcher(Files.readString(pem, StandardCharsets.US_ASCII));
    if (!m.find()) {
      throw new TlsConfigException("no PEM private key in " + pem);
    }
    byte[] der = Base64.getMimeDecoder().decode(m.group(2));
    PKCS8EncodedKeySpec spec;
    switch (m.group(1)) {
      case "PRIVATE KEY" -> spec = new PKCS8EncodedKeySpec(der);
      case "ENCRYPTED PRIVATE KEY" -> {
        if (password.length == 0) {
          throw new TlsConfigException(pem + " is encrypted: give its password through"
              + " lakemesh.http.tls.password-file or password-env");
        }
        EncryptedPrivateKeyInfo info;
        try {
          info = new EncryptedPrivateKeyInfo(der);
          info.getAlgParameters(); // parsed here: the JDK reads PBES2 with AES-128 and AES-256 only
        } catch (IOException e) {
          throw unsupportedScheme(pem, "a scheme");
        }
        spec = decrypted(pem, info, password);
      }
      default -> throw new TlsConfigException(pem + " holds a '" + m.group(1) + "'; convert it to PKCS#8"
          + " (openssl pkcs8 -topk8 -nocrypt -in key.pem -out key.pk8.pem)");
    }
    for (String algorithm : List.of("RSA", "EC", "Ed25519")) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(spec);
      } catch (InvalidKeySpecException | java.security.NoSuchAlgorithmException e) {
        // try the next algorithm
      }
    }
    throw new TlsConfigException("the key in " + pem + " is not an RSA, EC or Ed25519 PKCS#8 key");
  }

  /**
   * An encrypted PKCS#8 key, decrypted. OpenSSL 3 writes PBES2 (PBKDF2 with AES) by default, which the JDK names by
   * its parameters ({@code PBEWithHmacSHA256AndAES_256}), not by the scheme the key names ({@code PBES2}); older keys
   * name their PBES1 algorithm ({@code PBEWithSHA1AndDESede}) directly.
   */
  private static PKCS8EncodedKeySpec decrypted(Path pem, EncryptedPrivateKeyInfo info, char[] password)
      throws GeneralSecurityException {
    java.security.AlgorithmParameters parameters = info.getAlgParameters();
    boolean pbes2 = info.getAlgName().equals("PBES2") || info.getAlgName().equals("1.2.840.113549.1.5.13");
    String algorithm = pbes2 && parameters != null ? parameters.toString() : info.getAlgName();
    try {
      javax.crypto.Cipher cipher = javax.crypto.Cipher.getInstance(algorithm);
      cipher.init(javax.crypto.Cipher.DECRYPT_MODE,
          SecretKeyFactory.getInstance(algorithm).generateSecret(new PBEKeySpec(password)), parameters);
      return info.getKeySpec(cipher);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw unsupportedScheme(pem, algorithm);
    } catch (InvalidKeySpecException e) {
      throw new TlsConfigException("cannot decrypt " + pem + ": wrong password?");
    }
  }

  private static TlsConfigException unsupportedScheme(Path pem, String scheme) {
    return new TlsConfigException(pem + " is encrypted with " + scheme + " this Java cannot decrypt (it reads PBES2"
        + " with AES-128 or AES-256, and PBES1); re-encrypt it: openssl pkcs8 -topk8 -v2 aes-256-cbc -in key.pem"
        + " -out key.enc.pem, or give it unencrypted");
  }

  private static boolean isLoopback(String host) {
    try {
      return InetAddress.getByName(host).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }
}
