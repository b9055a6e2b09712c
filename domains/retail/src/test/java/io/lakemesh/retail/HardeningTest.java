package io.lakemesh.retail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import io.lakemesh.runtime.cli.AuditCommand;
import io.lakemesh.runtime.cluster.MeshNode;
import io.lakemesh.runtime.security.audit.AuditEntry;
import java.io.FileInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real node hardened as in production: HTTPS only (a self-signed certificate made here with the JDK's keytool,
 * served from PEM files), TLS 1.3, a tight rate limit and small URI/header limits, and the audit trail. Tests run
 * in order on one node; the rate-limit test runs last because it spends the client's tokens.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HardeningTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  static Path home;
  @TempDir
  static Path secrets;
  static MeshNode node;
  static SSLContext trust;
  static HttpClient https;
  static com.sun.net.httpserver.HttpServer jwks;
  static String token;

  @BeforeAll
  static void start() throws Exception {
    Path p12 = secrets.resolve("server.p12");
    Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
        "-genkeypair", "-alias", "lakemesh", "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2",
        "-dname", "CN=localhost", "-ext", "san=ip:127.0.0.1,dns:localhost", "-storetype", "PKCS12",
        "-keystore", p12.toString(), "-storepass", "test-secret", "-keypass", "test-secret")
        .redirectErrorStream(true).start();
    String keytoolOut = new String(keytool.getInputStream().readAllBytes());
    assertTrue(keytool.waitFor(60, TimeUnit.SECONDS) && keytool.exitValue() == 0, keytoolOut);
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (FileInputStream in = new FileInputStream(p12.toFile())) {
      store.load(in, "test-secret".toCharArray());
    }
    Certificate cert = store.getCertificate("lakemesh");
    PrivateKey key = (PrivateKey) store.getKey("lakemesh", "test-secret".toCharArray());
    Files.writeString(secrets.resolve("cert.pem"), pem("CERTIFICATE", cert.getEncoded()));
    Files.writeString(secrets.resolve("key.pem"), pem("PRIVATE KEY", key.getEncoded()));

    KeyStore trusted = KeyStore.getInstance("PKCS12");
    trusted.load(null, null);
    trusted.setCertificateEntry("lakemesh", cert);
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trusted);
    trust = SSLContext.getInstance("TLS");
    trust.init(null, tmf.getTrustManagers(), null);
    https = HttpClient.newBuilder().sslContext(trust).version(HttpClient.Version.HTTP_1_1).build();

    // production mode verifies tokens against an issuer's JWKS: serve one, and mint a token with its key
    com.nimbusds.jose.jwk.ECKey signing = new com.nimbusds.jose.jwk.gen.ECKeyGenerator(
        com.nimbusds.jose.jwk.Curve.P_256).keyID("hardening").generate();
    jwks = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
    byte[] keySet = new com.nimbusds.jose.jwk.JWKSet(signing.toPublicJWK()).toString().getBytes();
    jwks.createContext("/jwks", exchange -> {
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, keySet.length);
      exchange.getResponseBody().write(keySet);
      exchange.close();
    });
    jwks.start();
    com.nimbusds.jwt.SignedJWT jwt = new com.nimbusds.jwt.SignedJWT(
        new com.nimbusds.jose.JWSHeader.Builder(com.nimbusds.jose.JWSAlgorithm.ES256).keyID("hardening").build(),
        new com.nimbusds.jwt.JWTClaimsSet.Builder().subject("ops").issuer("https://sso.test").audience("lakemesh")
            .claim("roles", java.util.List.of("admin"))
            .expirationTime(new java.util.Date(System.currentTimeMillis() + 3_600_000)).build());
    jwt.sign(new com.nimbusds.jose.crypto.ECDSASigner(signing));
    token = "Bearer " + jwt.serialize();

    node = MeshNode.start(ConfigFactory.parseMap(Map.ofEntries(
            Map.entry("lakemesh.home", home.toString()),
            Map.entry("lakemesh.security.mode", "production"),
            Map.entry("lakemesh.security.jwks-url", "http://127.0.0.1:" + jwks.getAddress().getPort() + "/jwks"),
            Map.entry("lakemesh.security.issuer", "https://sso.test"),
            Map.entry("lakemesh.security.audience", "lakemesh"),
            Map.entry("lakemesh.security.hash-salt", "hardening-test-salt"),
            Map.entry("lakemesh.http.port", 0),
            Map.entry("lakemesh.management.port", 0),
            Map.entry("lakemesh.kafka.port", 0),
            Map.entry("lakemesh.http.tls.certificate", secrets.resolve("cert.pem").toString()),
            Map.entry("lakemesh.http.tls.private-key", secrets.resolve("key.pem").toString()),
            Map.entry("lakemesh.http.cors.allowed-origins", "https://dash.example.com, http://localhost:3000"),
            Map.entry("lakemesh.limits.requests-per-second", 2),
            Map.entry("lakemesh.limits.burst", 25),
            Map.entry("lakemesh.audit.flush-interval", "200ms"),
            Map.entry("lakemesh.pipeline.batch-window", "200ms"),
            Map.entry("lakemesh.pipeline.gold-interval", "200ms"),
            Map.entry("pekko.http.server.parsing.max-uri-length", "1k"),
            Map.entry("pekko.http.server.parsing.max-header-value-length", "1k"),
            Map.entry("pekko.remote.artery.canonical.port", 0)))
        .withFallback(ConfigFactory.load()));
  }

  @AfterAll
  static void stop() {
    if (node != null) {
      node.close();
    }
    if (jwks != null) {
      jwks.stop(0);
    }
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
        + "\n-----END " + type + "-----\n";
  }

  static HttpResponse<String> get(String path, Map<String, String> headers) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + node.httpPort() + path));
    headers.forEach(request::header);
    if (path.startsWith("/api") && !headers.containsKey("Authorization")) {
      request.header("Authorization", token);
    }
    return https.send(request.GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  static void assertProblem(HttpResponse<String> response, int status) throws Exception {
    assertEquals(status, response.statusCode(), response.body());
    assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json"),
        response.headers().toString());
    assertEquals(status, JSON.readTree(response.body()).get("status").asInt(), response.body());
  }

  @Test
  @Order(1)
  void servesHttpsWithTls13Only() throws Exception {
    assertEquals(200, get("/alive", Map.of()).statusCode());
    try (SSLSocket socket = (SSLSocket) trust.getSocketFactory().createSocket("127.0.0.1", node.httpPort())) {
      socket.setEnabledProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
      socket.startHandshake();
      assertEquals("TLSv1.3", socket.getSession().getProtocol());
    }
    try (SSLSocket old = (SSLSocket) trust.getSocketFactory().createSocket("127.0.0.1", node.httpPort())) {
      old.setEnabledProtocols(new String[] {"TLSv1.2"});
      assertThrows(SSLHandshakeException.class, old::startHandshake, "TLS 1.2 is off unless configured");
    }
  }

  @Test
  @Order(2)
  void ingestReadsAndDenialsLeaveAVerifiableTrail() throws Exception {
    Instant ts = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    String body = "[" + RetailPipelineTest.sale("H-1", "S-1", "NCR", ts, "noodles:2:15.25") + ","
        + RetailPipelineTest.sale("H-2", "S-2", "CALABARZON", ts, "snacks:1:20.00") + "]";
    HttpResponse<String> posted = https.send(HttpRequest.newBuilder(
            URI.create("https://127.0.0.1:" + node.httpPort() + "/api/v1/products/retail.transactions/events"))
        .header("Content-Type", "application/json").header("Authorization", token)
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(202, posted.statusCode(), posted.body());
    String filter = "region == \"NCR\"";
    String rowsPath = "/api/v1/products/retail.transactions/rows?filter="
        + java.net.URLEncoder.encode(filter, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
    // the audit records what was served, whether or not the pipeline has committed the events yet
    HttpResponse<String> read = get(rowsPath, Map.of());
    assertEquals(200, read.statusCode(), read.body());
    JsonNode rows = JSON.readTree(read.body());
    assertEquals(200, get("/api/v1/products/retail.transactions/quarantine?limit=5", Map.of()).statusCode());
    assertProblem(get("/api/v1/products/retail.nothing/rows", Map.of()), 404);

    assertTrue(node.audit().flush());
    List<AuditEntry> entries = node.audit().table().readAll();
    assertTrue(entries.stream().anyMatch(e -> e.action().equals("ingest") && e.product().equals("retail.transactions")
        && e.detail().equals("events=2") && e.principal().equals("ops")), entries.toString());
    assertTrue(entries.stream().anyMatch(e -> e.action().equals("read")
        && e.detail().equals("filter=" + filter + "; rows=" + rows.size())), entries.toString());
    assertTrue(entries.stream().anyMatch(e -> e.action().equals("read") && e.detail().startsWith("quarantine;")),
        entries.toString());
    assertTrue(entries.stream().anyMatch(e -> e.action().equals("denied") && e.outcome().equals("404")
        && "retail.nothing".equals(e.product())), entries.toString());

    HttpResponse<String> audit = get("/api/v1/audit?limit=3", Map.of());
    assertEquals(200, audit.statusCode(), audit.body());
    JsonNode newest = JSON.readTree(audit.body());
    assertEquals(3, newest.size());
    assertEquals("admin", newest.get(0).get("action").asText(), "reading the trail is recorded first");
    assertTrue(newest.get(0).get("seq").asLong() > newest.get(1).get("seq").asLong());

    // verified from the files while the node runs, as an operator would
    StringWriter out = new StringWriter();
    int exit = new picocli.CommandLine(new AuditCommand()).setOut(new PrintWriter(out, true))
        .setErr(new PrintWriter(out, true)).execute("verify", "--home", home.toString());
    assertEquals(0, exit, out.toString());
    assertTrue(out.toString().startsWith("OK audit chain intact: "), out.toString());
  }

  @Test
  @Order(3)
  void oversizedUriAndHeadersGetProblemDetails() throws Exception {
    HttpResponse<String> uriTooLong = get("/api/v1/products?pad=" + "a".repeat(2000), Map.of());
    assertProblem(uriTooLong, 414);
    assertFalse(uriTooLong.body().contains("127.0.0.1"), "the detail names the limit, not the client: "
        + uriTooLong.body());
    assertProblem(get("/api/v1/products", Map.of("X-Pad", "b".repeat(2000))), 431);
    // an unescaped space in a filter: the rest of the request line is read as the HTTP version
    try (SSLSocket socket = (SSLSocket) trust.getSocketFactory().createSocket("127.0.0.1", node.httpPort())) {
      socket.getOutputStream().write(("GET /api/v1/products/retail.transactions/rows?filter=region == \"NCR\""
          + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      socket.getOutputStream().flush();
      String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(answer.startsWith("HTTP/1.1 505") && answer.contains("application/problem+json")
          && answer.contains("write spaces as %20"), answer);
    }
    assertTrue(node.audit().flush());
    List<AuditEntry> entries = node.audit().table().readAll();
    assertTrue(entries.stream().anyMatch(e -> e.action().equals("denied") && e.outcome().equals("414")
        && e.detail().contains("refused before routing")), "requests refused before routing are audited too");
  }

  @Test
  @Order(4)
  void browserPagesFromAllowedOriginsMayCallTheApi() throws Exception {
    String api = "https://127.0.0.1:" + node.httpPort() + "/api/v1/products/retail.transactions/rows?limit=1";
    // the preflight a browser sends before a GET with an Authorization header: no credential of its own
    HttpResponse<String> preflight = https.send(HttpRequest.newBuilder(URI.create(api))
        .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
        .header("Origin", "https://dash.example.com").header("Access-Control-Request-Method", "GET")
        .header("Access-Control-Request-Headers", "authorization").build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, preflight.statusCode(), preflight.body());
    assertEquals("https://dash.example.com", preflight.headers().firstValue("Access-Control-Allow-Origin")
        .orElse(""), preflight.headers().toString());
    assertTrue(preflight.headers().firstValue("Access-Control-Allow-Methods").orElse("").contains("GET"));
    assertTrue(preflight.headers().firstValue("Access-Control-Allow-Headers").orElse("").toLowerCase()
        .contains("authorization"), preflight.headers().toString());
    assertEquals("600", preflight.headers().firstValue("Access-Control-Max-Age").orElse(""));
    assertTrue(preflight.headers().firstValue("Access-Control-Allow-Credentials").isEmpty(), "no cookies involved");

    // the request itself: answered with the headers a page needs to read the answer and its paging Link
    HttpResponse<String> rows = get("/api/v1/products/retail.transactions/rows?limit=1",
        Map.of("Origin", "http://localhost:3000"));
    assertEquals(200, rows.statusCode(), rows.body());
    assertEquals("http://localhost:3000", rows.headers().firstValue("Access-Control-Allow-Origin").orElse(""));
    assertTrue(rows.headers().firstValue("Access-Control-Expose-Headers").orElse("").contains("Link"),
        rows.headers().toString());
    assertTrue(rows.headers().allValues("Vary").stream().anyMatch(v -> v.contains("Origin")),
        "a cache keeps one answer per origin: " + rows.headers());
    // errors too, so a page can show the problem's detail
    HttpResponse<String> unauthorized = get("/api/v1/products", Map.of("Origin", "https://dash.example.com",
        "Authorization", "Bearer junk"));
    assertProblem(unauthorized, 401);
    assertEquals("https://dash.example.com", unauthorized.headers().firstValue("Access-Control-Allow-Origin")
        .orElse(""), unauthorized.headers().toString());

    // another origin: refused with a problem, its preflight too; without an Origin nothing changes
    HttpResponse<String> foreign = get("/api/v1/products", Map.of("Origin", "https://evil.example.net"));
    assertProblem(foreign, 403);
    assertTrue(JSON.readTree(foreign.body()).get("detail").asText().contains("lakemesh.http.cors.allowed-origins"),
        foreign.body());
    assertTrue(foreign.headers().firstValue("Access-Control-Allow-Origin").isEmpty());
    assertProblem(https.send(HttpRequest.newBuilder(URI.create(api))
        .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
        .header("Origin", "https://evil.example.net").header("Access-Control-Request-Method", "GET").build(),
        HttpResponse.BodyHandlers.ofString()), 403);
    HttpResponse<String> plain = get("/api/v1/products", Map.of());
    assertEquals(200, plain.statusCode(), plain.body());
    assertTrue(plain.headers().firstValue("Access-Control-Allow-Origin").isEmpty());
  }

  @Test
  @Order(5)
  void aClientOverItsRateGets429WithRetryAfter() throws Exception {
    HttpResponse<String> limited = null;
    for (int i = 0; i < 100 && limited == null; i++) {
      HttpResponse<String> response = get("/api/v1/products", Map.of());
      if (response.statusCode() == 429) {
        limited = response;
      } else {
        assertEquals(200, response.statusCode(), response.body());
      }
    }
    assertTrue(limited != null, "a burst of 100 requests at a limit of 2/s with burst 25 is refused");
    assertProblem(limited, 429);
    long retryAfter = Long.parseLong(limited.headers().firstValue("Retry-After").orElseThrow());
    assertTrue(retryAfter >= 1 && retryAfter <= 2, "Retry-After " + retryAfter);
    // a page from an allowed origin can read the 429 and its Retry-After (CORS is outside the limits)
    HttpResponse<String> limitedPage = null;
    for (int i = 0; i < 50 && limitedPage == null; i++) {
      HttpResponse<String> response = get("/api/v1/products", Map.of("Origin", "https://dash.example.com"));
      limitedPage = response.statusCode() == 429 ? response : null;
    }
    assertTrue(limitedPage != null, "still limited");
    assertProblem(limitedPage, 429);
    assertEquals("https://dash.example.com", limitedPage.headers().firstValue("Access-Control-Allow-Origin")
        .orElse(""), limitedPage.headers().toString());
    Thread.sleep(retryAfter * 1000 + 100);
    retryAfter = Long.parseLong(limitedPage.headers().firstValue("Retry-After").orElseThrow());
    Thread.sleep(retryAfter * 1000 + 100);
    assertEquals(200, get("/api/v1/products", Map.of()).statusCode(), "a token is back after Retry-After");

    // anonymous junk exhausts its address's bucket, and health probes from that address still answer: a load
    // balancer's probes share the address of every client behind it
    boolean anonymousLimited = false;
    for (int i = 0; i < 100 && !anonymousLimited; i++) {
      anonymousLimited = get("/api/v1/products", Map.of("Authorization", "Bearer junk")).statusCode() == 429;
    }
    assertTrue(anonymousLimited, "anonymous requests are limited by address");
    assertEquals(200, get("/ready", Map.of()).statusCode(), "probes are not rate limited");
    assertEquals(200, get("/alive", Map.of()).statusCode(), "probes are not rate limited");
    // the management port shares the limits: its admin routes and scrapes too, not its probes; and only a GET of
    // a probe is exempt (a POST to it, or one with a bad parameter, is limited as any request)
    String mgmt = "https://127.0.0.1:" + node.managementPort();
    for (String path : List.of("/lakemesh/products", "/metrics", "/ready?x=1")) {
      boolean portLimited = false;
      for (int i = 0; i < 100 && !portLimited; i++) {
        portLimited = https.send(HttpRequest.newBuilder(URI.create(mgmt + path)).GET().build(),
            HttpResponse.BodyHandlers.ofString()).statusCode() == 429;
      }
      assertTrue(portLimited, path + " on the management port is rate limited");
    }
    boolean postLimited = false;
    for (int i = 0; i < 100 && !postLimited; i++) {
      postLimited = get("/alive", Map.of()).statusCode() == 200 && https.send(HttpRequest.newBuilder(URI.create(
          "https://127.0.0.1:" + node.httpPort() + "/ready")).POST(HttpRequest.BodyPublishers.noBody()).build(),
          HttpResponse.BodyHandlers.ofString()).statusCode() == 429;
    }
    assertTrue(postLimited, "a POST to a probe path is limited");
    for (String probe : List.of("/ready", "/alive")) {
      assertEquals(200, https.send(HttpRequest.newBuilder(URI.create(mgmt + probe)).GET().build(),
          HttpResponse.BodyHandlers.ofString()).statusCode(), probe);
    }
    // a flood refused by the limit does not flood the audit trail: one entry per caller every 10 s
    int refused = 0;
    for (int i = 0; i < 60; i++) {
      refused += get("/api/v1/products", Map.of("Authorization", "Bearer junk")).statusCode() == 429 ? 1 : 0;
    }
    assertTrue(refused >= 40, "most of the flood is refused: " + refused);
    assertTrue(node.audit().flush());
    long recorded = node.audit().table().readAll().stream()
        .filter(e -> e.outcome().equals("429") && e.principal().equals("anonymous")).count();
    assertTrue(recorded >= 1 && recorded <= 4, recorded + " entries for the anonymous 429s of this test");
  }
}
