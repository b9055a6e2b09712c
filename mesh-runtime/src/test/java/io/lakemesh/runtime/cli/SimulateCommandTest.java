package io.lakemesh.runtime.cli;

import io.lakemesh.runtime.cli.IngestStub.Received;
import io.lakemesh.runtime.cli.IngestStub.Reply;
import io.lakemesh.runtime.simulate.TrafficSource;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SimulateCommandTest {

    /** A finished command run: exit code and what it printed. */
    private record Run(int exitCode, String out, String err) {}

    private static Run simulate(List<TrafficSource> sources, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine command = SimulateCommand.newCommandLine(new SimulateCommand(sources))
                .setOut(new PrintWriter(out, true))
                .setErr(new PrintWriter(err, true));
        int exitCode = command.execute(args);
        return new Run(exitCode, out.toString(), err.toString());
    }

    @Test
    void everyEventArrivesExactlyOnceAndA503BatchIsResentVerbatim() throws IOException {
        SequenceTrafficSource alpha = new SequenceTrafficSource("test.alpha");
        SequenceTrafficSource beta = new SequenceTrafficSource("test.beta");
        try (IngestStub node = new IngestStub(n -> n == 2 ? Reply.busy(1) : Reply.accepted())) {
            Run run = simulate(List.of(alpha, beta),
                    "--target", node.url() + "/", "--rate", "1000", "--duration", "200ms", "--batch", "20",
                    "--bad-ratio", "0.1", "--dup-ratio", "0.1", "--seed", "7", "--token", "t0k");

            assertEquals(0, run.exitCode(), run.err());
            // 1000 events/s for 200 ms = 200 events = 10 batches, alternating products, one of them sent twice
            List<Received> requests = node.received();
            assertEquals(11, requests.size());
            assertEquals(200, alpha.generated().size() + beta.generated().size());
            assertEquals(100, alpha.generated().size());
            assertSameEvents(alpha.generated(), node.acceptedEvents("test.alpha"));
            assertSameEvents(beta.generated(), node.acceptedEvents("test.beta"));

            Received busy = requests.stream().filter(r -> r.status() == 503).findFirst().orElseThrow();
            assertEquals(1, requests.stream().filter(r -> r.status() / 100 == 2 && r.body().equals(busy.body()))
                    .count(), "the batch answered 503 is re-sent byte for byte, once");
            for (Received request : requests) {
                assertEquals("application/x-ndjson", request.contentType());
                assertEquals("Bearer t0k", request.authorization());
            }
            assertTrue(run.out().contains("sent 200 events in 10 batches"), run.out());
            assertTrue(run.out().contains("accepted 200, rejected 0, unconfirmed 0, retries 1;"), run.out());
            // why the batch waited is said once, so a run that only retries does not look hung
            assertEquals(1, run.err().lines().filter(l -> l.contains("simulate: the node answers 503: Service"
                    + " Unavailable; re-sending every 1 s until it takes them (Ctrl-C stops the run)")).count(),
                    run.err());
            assertTrue(run.out().contains("seed 7"), run.out());
            assertEquals(1, run.out().lines().count(), "the summary is one line");
        }
    }

    /** simulate in a JVM of its own, as {@code ./lakemesh simulate} runs, so it can be stopped by a signal. */
    public static final class StoppableSimulate {
        public static void main(String[] args) {
            System.exit(SimulateCommand.newCommandLine(
                    new SimulateCommand(List.of(new SequenceTrafficSource("test.alpha")))).execute(args));
        }
    }

    @Test
    void aRunStoppedBySigtermStillPrintsItsSummarySoFar() throws Exception {
        try (IngestStub node = new IngestStub(n -> Reply.accepted())) {
            String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Path outFile = Files.createTempFile("simulate", ".out");
            Path errFile = Files.createTempFile("simulate", ".err");
            try {
                Process child = new ProcessBuilder(javaBin, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                        StoppableSimulate.class.getName(), "--target", node.url(), "--rate", "200",
                        "--duration", "60s", "--batch", "20", "--seed", "3")
                        .redirectOutput(outFile.toFile())
                        .redirectError(errFile.toFile())
                        .start();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (node.received().size() < 5 && System.nanoTime() < deadline && child.isAlive()) {
                    Thread.sleep(50);
                }
                assertTrue(node.received().size() >= 5, "the run got going: " + Files.readString(errFile));
                child.destroy(); // SIGTERM, as Ctrl-C's SIGINT: the JVM runs its shutdown hooks
                assertTrue(child.waitFor(30, TimeUnit.SECONDS), "simulate stopped");

                List<String> lines = Files.readAllLines(outFile);
                assertEquals(1, lines.size(), "one summary line: " + lines);
                String summary = lines.get(0);
                assertTrue(summary.endsWith("; stopped before the end"), summary);
                Matcher counts = Pattern.compile(
                        "sent (\\d+) events .*: accepted (\\d+), rejected 0, unconfirmed (\\d+),").matcher(summary);
                assertTrue(counts.find(), summary);
                long sent = Long.parseLong(counts.group(1));
                long accepted = Long.parseLong(counts.group(2));
                long unconfirmed = Long.parseLong(counts.group(3));
                long tookByNode = node.acceptedEvents("test.alpha").size();
                assertEquals(sent, accepted + unconfirmed, summary);
                // what the summary calls accepted the node took; a post in flight at the signal is unconfirmed
                assertTrue(accepted <= tookByNode && tookByNode <= sent, summary + " / node took " + tookByNode);
                assertTrue(sent < 200 * 60, "stopped long before its 12,000 events: " + summary);
                assertFalse(Files.readString(errFile).contains("Exception"),
                        Files.readString(errFile));
            } finally {
                Files.deleteIfExists(outFile);
                Files.deleteIfExists(errFile);
            }
        }
    }

    @Test
    void aLowRateIsSentAsATrickleOfAPostASecond() throws IOException {
        // QA: --rate 10 --duration 8s sent its 80 events in one POST in 0.3 s (the default batch is 100)
        try (IngestStub node = new IngestStub(n -> Reply.accepted())) {
            long start = System.nanoTime();
            Run run = simulate(List.of(new SequenceTrafficSource("test.alpha")), "--target", node.url(), "--rate",
                    "4", "--duration", "3s");
            double seconds = (System.nanoTime() - start) / 1e9;
            assertEquals(0, run.exitCode(), run.err());
            assertEquals(3, node.received().size(), "a POST of 4 events a second");
            assertTrue(seconds >= 1.9, "the third POST goes 2 s after the first, not at once: " + seconds + " s");
            assertTrue(run.out().contains("sent 12 events in 3 batches"), run.out());
        }
    }

    @Test
    void theSameSeedMakesTheSameEvents() throws IOException {
        List<List<String>> runs = new ArrayList<>();
        try (IngestStub node = new IngestStub(n -> Reply.accepted())) {
            for (int i = 0; i < 2; i++) {
                SequenceTrafficSource source = new SequenceTrafficSource("test.alpha");
                Run run = simulate(List.of(source), "--target", node.url(), "--rate", "1000",
                        "--duration", "100ms", "--batch", "25", "--bad-ratio", "0.2", "--dup-ratio", "0.3",
                        "--seed", "42");
                assertEquals(0, run.exitCode(), run.err());
                runs.add(source.generated());
            }
        }
        assertEquals(runs.get(0), runs.get(1));
        assertTrue(runs.get(0).stream().anyMatch(event -> event.contains("\"qty\":0")), "some invalid events");
        assertTrue(runs.get(0).stream().distinct().count() < runs.get(0).size(), "some duplicates");
    }

    @Test
    void anUnreachableTargetExitsOneWithOneClearLine() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        String target = "http://127.0.0.1:" + closedPort;

        Run run = simulate(List.of(new SequenceTrafficSource("test.alpha")),
                "--target", target, "--rate", "100", "--duration", "1s", "--batch", "10");

        assertEquals(1, run.exitCode());
        assertEquals("", run.out());
        List<String> errorLines = run.err().lines().filter(line -> line.startsWith("simulate: ")).toList();
        assertEquals(1, errorLines.size(), run.err());
        assertTrue(errorLines.get(0).startsWith("simulate: cannot reach " + target + ": "), run.err());
        assertFalse(run.err().contains("Exception"), run.err());
        assertFalse(run.err().contains("\tat "), run.err());
    }

    @Test
    void aNodeThatRestartsMidRunGetsEveryBatchOnceItIsBack() throws Exception {
        SequenceTrafficSource alpha = new SequenceTrafficSource("test.alpha");
        IngestStub before = new IngestStub(n -> Reply.accepted());
        int port = before.port();
        IngestStub[] after = {null};
        // the node goes away after its third answer and listens again 2 s later, on the same port
        Thread restart = new Thread(() -> {
            try {
                while (before.received().size() < 3) {
                    Thread.sleep(10);
                }
                before.close();
                Thread.sleep(2_000);
                after[0] = new IngestStub(n -> Reply.accepted(), port);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        restart.start();
        try {
            Run run = simulate(List.of(alpha), "--target", "http://127.0.0.1:" + port, "--rate", "100",
                    "--duration", "2s", "--batch", "10", "--bad-ratio", "0", "--dup-ratio", "0");
            restart.join();
            assertEquals(0, run.exitCode(), run.out() + run.err());
            List<String> received = new ArrayList<>(before.acceptedEvents("test.alpha"));
            received.addAll(after[0].acceptedEvents("test.alpha"));
            // every event arrives; one whose answer the going node never sent may arrive twice (at least once, as
            // the ingest API promises: the pipeline deduplicates), but nothing else does
            assertEquals(new java.util.TreeSet<>(alpha.generated()), new java.util.TreeSet<>(received));
            assertTrue(received.size() - alpha.generated().size() <= 10 * TrafficRun.MAX_IN_FLIGHT,
                    "at most the batches in flight when the node went, again: " + received.size());
            assertTrue(run.out().contains("accepted 200, rejected 0, unconfirmed 0, retries "), run.out());
            assertFalse(run.out().contains("retries 0;"), "the batches of the gap were retried: " + run.out());
        } finally {
            restart.join();
            if (after[0] != null) {
                after[0].close();
            }
        }
    }

    @Test
    void rejectionsAreCountedReportedAndFailTheRunWhenMostBatchesFail() throws IOException {
        try (IngestStub node = new IngestStub(n -> n % 4 == 0
                ? Reply.accepted()
                : Reply.problem(400, "Bad Request", "malformed batch"))) {
            Run run = simulate(List.of(new SequenceTrafficSource("test.alpha")),
                    "--target", node.url(), "--rate", "1000", "--duration", "80ms", "--batch", "10");

            assertEquals(2, run.exitCode(), run.err());
            assertEquals(8, node.received().size());
            assertNull(node.received().get(0).authorization(), "no token, no Authorization header");
            assertTrue(run.out().contains("accepted 20, rejected 60,"), run.out());
            assertTrue(run.out().contains("; HTTP 400 for 6 batches (Bad Request: malformed batch)"), run.out());
        }
    }

    @Test
    void aProductTheNodeDoesNotServeStopsTheRunAtOnce() throws IOException {
        try (IngestStub node = new IngestStub(n -> Reply.problem(404, "Not Found", "no data product test.alpha"))) {
            Run run = simulate(List.of(new SequenceTrafficSource("test.alpha")),
                    "--target", node.url(), "--rate", "100", "--duration", "5s", "--batch", "10");

            assertEquals(2, run.exitCode(), run.err());
            assertTrue(node.received().size() < 10, "stopped after the first answers, not 50 batches: "
                    + node.received().size());
            assertTrue(run.err().contains("simulate: " + node.url() + " answered HTTP 404 (Not Found: no data product"
                    + " test.alpha): stopped, every batch would get the same answer"), run.err());
        }
    }

    @Test
    void aFewRejectionsAreReportedButDoNotFailTheRun() throws IOException {
        try (IngestStub node = new IngestStub(n -> n == 1
                ? Reply.problem(413, "Payload Too Large", "batch over 1 MiB")
                : Reply.accepted())) {
            Run run = simulate(List.of(new SequenceTrafficSource("test.alpha")),
                    "--target", node.url(), "--rate", "1000", "--duration", "50ms", "--batch", "10");

            assertEquals(0, run.exitCode(), run.err());
            assertTrue(run.out().contains("accepted 40, rejected 10,"), run.out());
            assertTrue(run.out().contains("HTTP 413 for 1 batches (Payload Too Large: batch over 1 MiB)"), run.out());
        }
    }

    @Test
    void aBadDurationIsAUsageErrorInOneLine() {
        Run run = simulate(List.of(new SequenceTrafficSource("test.alpha")), "--duration", "soon");

        assertEquals(2, run.exitCode());
        assertEquals(List.of("simulate: Invalid value for option '--duration': 'soon' is not a duration; "
                + "use a number and a unit, e.g. 500ms, 60s, 2m, 1h (see --help)"), run.err().lines().toList());
    }

    @Test
    void anUnknownProductIsAUsageErrorNamingTheKnownOnes() {
        Run run = simulate(List.of(new SequenceTrafficSource("test.alpha")), "--product", "test.gamma",
                "--target", "http://127.0.0.1:1");

        assertEquals(2, run.exitCode());
        // nothing answers on port 1, so its contract cannot be read either
        assertEquals(1, run.err().lines().count(), run.err());
        assertTrue(run.err().startsWith("simulate: no domain module makes traffic for product 'test.gamma', and"
                + " none can be made from its contract: cannot read it from http://127.0.0.1:1 ("), run.err());
    }

    @Test
    void aDerivedProductIsRefusedBeforeAnythingIsSent() throws IOException {
        String contract = "{\"apiVersion\":\"v3.1.0\",\"kind\":\"DataContract\",\"id\":\"shop.daily\","
                + "\"version\":\"1.0.0\",\"status\":\"active\",\"customProperties\":["
                + "{\"property\":\"lakemeshStage\",\"value\":\"gold\"},"
                + "{\"property\":\"lakemeshUpstream\",\"value\":\"shop.orders\"},"
                + "{\"property\":\"lakemeshTransform\",\"value\":\"daily\"}],"
                + "\"schema\":[{\"name\":\"daily\",\"properties\":["
                + "{\"name\":\"day\",\"logicalType\":\"date\",\"primaryKey\":true,\"required\":true}]}]}";
        try (IngestStub stub = new IngestStub(n -> new IngestStub.Reply(200, "application/json",
                "{\"id\":\"shop.daily\",\"contract\":" + contract + "}", null))) {
            Run run = simulate(List.of(new SequenceTrafficSource("test.alpha")), "--product", "shop.daily",
                    "--target", stub.url(), "--duration", "1s");

            assertEquals(2, run.exitCode(), run.err());
            assertTrue(run.err().contains("it is a gold product computed from shop.orders, which takes no events;"
                    + " simulate shop.orders instead"), run.err());
            assertEquals(List.of("/api/v1/products/shop.daily"),
                    stub.received().stream().map(IngestStub.Received::path).toList(), "only the contract was read");
        }
    }

    @Test
    void durationsTakeTheUnitsPeopleType() {
        SimulateCommand.DurationConverter converter = new SimulateCommand.DurationConverter();
        assertEquals(java.time.Duration.ofMillis(500), converter.convert("500ms"));
        assertEquals(java.time.Duration.ofSeconds(60), converter.convert("60s"));
        assertEquals(java.time.Duration.ofMinutes(2), converter.convert("2m"));
        assertEquals(java.time.Duration.ofHours(1), converter.convert("1h"));
        for (String bad : List.of("0s", "60", "1.5s", "-1s", "2 minutes", "PT1M")) {
            try {
                converter.convert(bad);
                throw new AssertionError(bad + " should not parse");
            } catch (CommandLine.TypeConversionException expected) {
                assertTrue(expected.getMessage().contains(bad), expected.getMessage());
            }
        }
    }

    private static void assertSameEvents(List<String> generated, List<String> received) {
        List<String> expected = new ArrayList<>(generated);
        List<String> actual = new ArrayList<>(received);
        Collections.sort(expected);
        Collections.sort(actual);
        assertEquals(expected, actual);
    }

    @Test
    void withoutATerminalProgressIsALineEveryTenSecondsNotARedraw() {
        java.io.StringWriter out = new java.io.StringWriter();
        java.util.function.Consumer<String> log = SimulateCommand.progressLine(new java.io.PrintWriter(out), false);
        log.accept("sent 10% [=   ]  100/1000 ev");
        log.accept("sent 20% [==  ]  200/1000 ev"); // within 10 s of the first: not printed
        log.accept("      ");
        assertEquals("sent 10% [=   ]  100/1000 ev" + System.lineSeparator(), out.toString());

        java.io.StringWriter tty = new java.io.StringWriter();
        java.util.function.Consumer<String> live = SimulateCommand.progressLine(new java.io.PrintWriter(tty), true);
        live.accept("a");
        live.accept("b");
        assertEquals("\ra\rb", tty.toString());
    }
}
