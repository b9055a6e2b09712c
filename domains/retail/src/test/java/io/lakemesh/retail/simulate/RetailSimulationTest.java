package io.lakemesh.retail.simulate;

import com.sun.net.httpserver.HttpServer;
import io.lakemesh.runtime.cli.SimulateCommand;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code simulate} as a user runs it: the retail source found on the classpath, posting to a real HTTP server. */
class RetailSimulationTest {

    @Test
    void simulateFindsTheRetailSourceAndPostsValidTransactions() throws IOException {
        List<String> paths = new CopyOnWriteArrayList<>();
        List<String> events = new CopyOnWriteArrayList<>();
        HttpServer node = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        node.createContext("/api/v1/products/", exchange -> {
            try (exchange) {
                List<String> lines = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)
                        .lines().toList();
                paths.add(exchange.getRequestURI().getPath());
                events.addAll(lines);
                byte[] answer = ("{\"accepted\":" + lines.size() + "}").getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "application/json");
                exchange.sendResponseHeaders(202, answer.length);
                exchange.getResponseBody().write(answer);
            }
        });
        node.start();
        try {
            StringWriter out = new StringWriter();
            int exitCode = new CommandLine(new SimulateCommand())
                    .setOut(new PrintWriter(out, true))
                    .setErr(new PrintWriter(new StringWriter(), true))
                    .execute("--target", "http://127.0.0.1:" + node.getAddress().getPort(), "--rate", "2000",
                            "--duration", "250ms", "--batch", "50", "--bad-ratio", "0", "--dup-ratio", "0");

            assertEquals(0, exitCode, out.toString());
            assertEquals(10, paths.size());
            assertTrue(paths.stream().allMatch("/api/v1/products/retail.transactions/events"::equals), paths.toString());
            assertEquals(500, events.size());
            Instant now = Instant.now();
            for (String event : events) {
                assertEquals(List.of(), RetailEventRules.broken(event, now), event);
            }
            assertTrue(out.toString().contains("accepted 500, rejected 0"), out.toString());
        } finally {
            node.stop(0);
        }
    }
}
