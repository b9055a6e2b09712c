package io.lakemesh.retail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lakemesh.runtime.cluster.MeshNode;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * A node pointed at an external Kafka that does not answer (a typo in --kafka, the broker not up yet) says so in one
 * line, starts and serves reads; its pipelines wait with a line each, without stack traces, and ingest answers 503.
 */
class UnreachableKafkaTest {
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  @TempDir Path home;

  @Test
  void aKafkaThatDoesNotAnswerIsSaidOnceAndWaitedFor() throws Exception {
    int closed;
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      closed = probe.getLocalPort(); // free once closed: nothing listens there
    }
    ch.qos.logback.classic.Logger root = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(
        org.slf4j.Logger.ROOT_LOGGER_NAME);
    ListAppender<ILoggingEvent> logged = new ListAppender<>();
    logged.start();
    root.addAppender(logged);
    try (MeshNode node = MeshNode.start(com.typesafe.config.ConfigFactory.parseMap(Map.of(
        "lakemesh.kafka.bootstrap", "127.0.0.1:" + closed)).withFallback(RetailPipelineTest.config(home)))) {
      List<String> started = lines(logged);
      assertEquals(1, started.stream().filter(l -> l.startsWith("WARN Kafka at 127.0.0.1:" + closed + " does not answer"))
          .count(), started.toString());

      // reads are served; the source's workers wait for the log, and say so without a stack trace
      JsonNode stats = null;
      Instant deadline = Instant.now().plus(Duration.ofSeconds(90));
      while (Instant.now().isBefore(deadline)) {
        stats = new ObjectMapper().readTree(NodeRequests.get(node, "/api/v1/products/retail.transactions"))
            .path("stats");
        if (stats.path("pipeline").toString().contains("\"waiting\"")) {
          break;
        }
        Thread.sleep(500);
      }
      assertTrue(stats.path("pipeline").toString().contains("the log (Kafka) is unreachable"), String.valueOf(stats));
      List<String> waiting = lines(logged).stream().filter(l -> l.contains("waiting for Kafka at 127.0.0.1:" + closed))
          .toList();
      assertTrue(!waiting.isEmpty() && waiting.stream().allMatch(l -> l.startsWith("WARN ")), lines(logged).toString());
      assertTrue(logged.list.stream().noneMatch(e -> e.getLevel().isGreaterOrEqual(Level.ERROR)),
          "nothing failed: no ERROR, no stack trace " + lines(logged));

      HttpResponse<String> ingest = HTTP.send(post(node, sale("U-1")), HttpResponse.BodyHandlers.ofString());
      assertEquals(503, ingest.statusCode(), ingest.body());
      assertTrue(ingest.body().contains("log-unavailable") && ingest.body().contains("Kafka acknowledged none of the 1"
          + " events"), ingest.body());
      assertEquals("5", ingest.headers().firstValue("Retry-After").orElse(""), "when to try again");
      // a client retrying gets its answer each time; the log says it once, without a stack trace
      HTTP.send(post(node, sale("U-2")), HttpResponse.BodyHandlers.ofString());
      // clients posting at once while Kafka is down get their 503 at once or within one wait for Kafka, not queued
      // behind each other, and the node's own actors keep answering (the product's workers still say 'waiting')
      List<java.util.concurrent.CompletableFuture<HttpResponse<String>>> concurrent = new java.util.ArrayList<>();
      long postedAt = System.nanoTime();
      for (int i = 0; i < 8; i++) {
        concurrent.add(HTTP.sendAsync(post(node, sale("U-C" + i) + "\n" + sale("U-D" + i)),
            HttpResponse.BodyHandlers.ofString()));
      }
      for (var answer : concurrent) {
        assertEquals(503, answer.get().statusCode(), answer.get().body());
        assertEquals(List.of("5"), answer.get().headers().allValues("Retry-After"), "one Retry-After");
      }
      Duration answeredIn = Duration.ofNanos(System.nanoTime() - postedAt);
      assertTrue(answeredIn.compareTo(Duration.ofSeconds(25)) < 0, "8 bodies of 2 events answered in " + answeredIn);
      assertTrue(new ObjectMapper().readTree(NodeRequests.get(node, "/api/v1/products/retail.transactions"))
          .path("stats").path("pipeline").toString().contains("\"waiting\""), "the workers still answer");
      List<String> said = lines(logged);
      assertEquals(1, said.stream().filter(l -> l.startsWith("WARN ingest into retail.transactions: Kafka does not"
          + " answer")).count(), said.toString());
      assertTrue(logged.list.stream().noneMatch(e -> e.getLevel().isGreaterOrEqual(Level.ERROR)
          || e.getThrowableProxy() != null), "no ERROR, no stack trace: " + said);
    } finally {
      root.detachAppender(logged);
    }
  }

  /** An ingest of NDJSON events into retail.transactions, as the node's admin. */
  private static HttpRequest post(MeshNode node, String ndjson) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort()
        + "/api/v1/products/retail.transactions/events")).header("Authorization", "Bearer " + node.devAdminToken())
        .header("Content-Type", "application/x-ndjson").timeout(Duration.ofSeconds(60))
        .POST(HttpRequest.BodyPublishers.ofString(ndjson)).build();
  }

  private static String sale(String id) {
    return RetailPipelineTest.sale(id, "S-0001", "NCR", Instant.now(), "noodles:1:1.00");
  }

  private static List<String> lines(ListAppender<ILoggingEvent> logged) {
    synchronized (logged.list) {
      return logged.list.stream().map(e -> e.getLevel() + " " + e.getFormattedMessage()
          + (e.getThrowableProxy() == null ? "" : " [stack trace: " + e.getThrowableProxy().getClassName() + "]"))
          .toList();
    }
  }
}
