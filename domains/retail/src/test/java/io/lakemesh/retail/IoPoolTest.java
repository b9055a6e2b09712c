package io.lakemesh.retail;

import static io.lakemesh.retail.NodeRequests.awaitStats;
import static io.lakemesh.retail.NodeRequests.postNdjson;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.lakemesh.runtime.cluster.MeshNode;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node whose blocking-work pool is all taken by commits still commits: a commit waits for the parts of its batch
 * (validation slices, table writes), which run on a pool of their own. When they shared one pool, a node with many
 * partitions stopped for good once every thread was a commit waiting for a part queued behind the others; one
 * thread is that state from the first commit on.
 */
class IoPoolTest {
  @TempDir Path home;

  @Test
  void aNodeWithOneBlockingWorkThreadCommitsEveryPartition() throws Exception {
    com.typesafe.config.Config config = com.typesafe.config.ConfigFactory
        .parseMap(Map.of("lakemesh-io-dispatcher.thread-pool-executor.fixed-pool-size", 1))
        .withFallback(RetailPipelineTest.config(home));
    try (MeshNode node = MeshNode.start(config)) {
      Instant ts = Instant.now();
      StringBuilder events = new StringBuilder();
      for (int i = 0; i < 30; i++) {
        events.append(RetailPipelineTest.sale("P-" + i, "S-0001", "NCR", ts, "noodles:1:10.00")).append('\n');
      }
      postNdjson(node, "retail.transactions", events.toString());
      JsonNode stats = awaitStats(node, "retail.transactions", s -> s.path("rows").path("silver").asInt() == 30);
      assertEquals(30, stats.path("rows").path("bronze").asInt(), stats.toString());
      awaitStats(node, "retail.daily_sales", s -> s.path("rows").path("gold").asInt() == 1);
    }
  }
}
