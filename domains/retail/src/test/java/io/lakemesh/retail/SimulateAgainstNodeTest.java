package io.lakemesh.retail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lakemesh.runtime.cli.SimulateCommand;
import io.lakemesh.runtime.cluster.MeshNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The "done when": {@code simulate} against a running node, as a user runs both. Every event simulate
 * counts as valid lands in silver, every one it made invalid in quarantine (judged by the node's real validator,
 * not by the generator's idea of the rules), every re-send is dropped as a duplicate, and gold adds up to silver.
 */
class SimulateAgainstNodeTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern SUMMARY = Pattern.compile("accepted (\\d+), rejected (\\d+), unconfirmed (\\d+),"
      + " retries \\d+; (\\d+) invalid, (\\d+) duplicate");

  @TempDir Path home;

  @Test
  void simulatedTrafficLandsExactlyInSilverQuarantineAndGold() throws Exception {
    try (MeshNode node = MeshNode.start(RetailPipelineTest.config(home))) {
      StringWriter out = new StringWriter();
      StringWriter err = new StringWriter();
      int exit = new CommandLine(new SimulateCommand())
          .setOut(new PrintWriter(out, true))
          .setErr(new PrintWriter(err, true))
          .execute("--target", "http://127.0.0.1:" + node.httpPort(), "--token", node.devAdminToken(),
              "--rate", "1500", "--duration", "2s", "--batch", "50", "--bad-ratio", "0.1", "--dup-ratio", "0.1",
              "--seed", "20261126");
      assertEquals(0, exit, out + " / " + err);
      Matcher m = SUMMARY.matcher(out.toString());
      assertTrue(m.find(), out.toString());
      long accepted = Long.parseLong(m.group(1));
      long invalid = Long.parseLong(m.group(4));
      long duplicate = Long.parseLong(m.group(5));
      assertEquals(0, Long.parseLong(m.group(2)), "rejected batches: " + out);
      assertEquals(0, Long.parseLong(m.group(3)), "unconfirmed events: " + out);
      assertTrue(accepted >= 1000 && invalid > 0 && duplicate > 0, out.toString()); // a run that exercises all three

      JsonNode stats = NodeRequests.awaitStats(node, "retail.transactions", s -> s.path("lag").asLong(-1) == 0
          && s.path("rows").path("bronze").asLong() == accepted);
      assertEquals(accepted - invalid - duplicate, stats.path("rows").path("silver").asLong(), stats.toString());
      assertEquals(invalid, stats.path("quarantined").asLong(), stats.toString());
      assertEquals(duplicate, stats.path("duplicatesDropped").asLong(), stats.toString());

      // gold follows silver on its own interval: it catches up to the same revenue, to the cent
      BigDecimal silverTotal = sum(node, "retail.transactions", "total_amount");
      long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
      BigDecimal goldRevenue = BigDecimal.ZERO;
      while (System.nanoTime() < deadline) {
        goldRevenue = sum(node, "retail.daily_sales", "revenue");
        if (goldRevenue.compareTo(silverTotal) == 0) {
          return;
        }
        Thread.sleep(250);
      }
      org.junit.jupiter.api.Assertions.fail("gold revenue " + goldRevenue + " never reached silver's " + silverTotal);
    }
  }

  /** The sum of one decimal column over every row the API serves (one page: a short run stays under 10,000). */
  private static BigDecimal sum(MeshNode node, String product, String column) throws Exception {
    JsonNode rows = JSON.readTree(NodeRequests.get(node, "/api/v1/products/" + product + "/rows?select=" + column
        + "&limit=10000"));
    assertTrue(rows.isArray() && rows.size() < 10_000, "more rows than one page: " + rows.size());
    BigDecimal total = BigDecimal.ZERO;
    for (JsonNode row : rows) {
      total = total.add(new BigDecimal(row.path(column).asText()));
    }
    return total;
  }
}
