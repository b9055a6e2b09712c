package io.lakemesh.runtime.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Posts one NDJSON batch to a product's ingest endpoint until the node gives a final answer.
 *
 * <p>A 503 is backpressure, not failure: the same bytes are re-sent after {@code Retry-After}, for as long as it
 * takes, so no batch is ever dropped. A broken connection is retried with backoff: a few times when the node never
 * answered (a wrong --target should fail at once), for up to {@link #RESTART_WINDOW} once it has (a node
 * restarting refuses connections until it is up again); then it is reported as {@link Unreachable}. Re-sending
 * after a lost answer can deliver a batch twice; that is the at-least-once
 * contract of the ingest API, and the pipeline deduplicates.
 */
final class BatchPoster {

    sealed interface Outcome permits Accepted, Rejected, Unreachable {}

    /** The node answered 2xx: the events are durable. */
    record Accepted(long events) implements Outcome {}

    /** The node refused the batch for good (4xx, or a 5xx other than 503). */
    record Rejected(int status, String reason) implements Outcome {}

    /** No answer from the node after a few attempts. */
    record Unreachable(String reason) implements Outcome {}

    private static final String NDJSON = "application/x-ndjson";
    private static final int CONNECT_ATTEMPTS = 3;
    /** How long a node that has answered before may refuse connections: a restart takes well under a minute. */
    static final Duration RESTART_WINDOW = Duration.ofMinutes(2);
    private static final Duration FIRST_BACKOFF = Duration.ofMillis(250);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);
    // the API documents Retry-After as delta-seconds; anything else gets a short, polite default
    private static final Duration DEFAULT_RETRY_AFTER = Duration.ofSeconds(1);
    private static final Pattern DELTA_SECONDS = Pattern.compile("\\d{1,6}");
    // generous: a node under load may hold a request while its buffers drain
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);
    private static final int MAX_REASON_LENGTH = 200;

    private final HttpClient client;
    private final Optional<String> authorization;
    private final ObjectMapper json = new ObjectMapper();
    /** Whether the node has answered any request of this run (with any status). */
    private volatile boolean answered;

    /** What the user is told once per kind of 503 (a paused product, backpressure): why the batches wait. */
    private final java.util.function.Consumer<String> notice;
    private final java.util.Set<String> noticed = java.util.concurrent.ConcurrentHashMap.newKeySet();

    BatchPoster(HttpClient client, Optional<String> bearerToken) {
        this(client, bearerToken, message -> { });
    }

    BatchPoster(HttpClient client, Optional<String> bearerToken, java.util.function.Consumer<String> notice) {
        this.client = client;
        this.authorization = bearerToken.map(token -> "Bearer " + token);
        this.notice = notice;
    }

    /**
     * Posts {@code ndjson} (holding {@code events} events) to {@code endpoint}; {@code onRetry} runs before each
     * re-send.
     */
    Outcome post(URI endpoint, String ndjson, int events, Runnable onRetry) throws InterruptedException {
        HttpRequest.Builder builder = HttpRequest.newBuilder(endpoint)
                .timeout(REQUEST_TIMEOUT)
                .header("Content-Type", NDJSON)
                .header("Accept", "application/json, application/problem+json")
                .POST(HttpRequest.BodyPublishers.ofString(ndjson));
        authorization.ifPresent(value -> builder.header("Authorization", value));
        HttpRequest request = builder.build();

        int ioFailures = 0;
        long firstFailure = 0;
        while (true) {
            HttpResponse<String> response;
            try {
                response = client.send(request, HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                ioFailures++;
                long now = System.nanoTime();
                firstFailure = ioFailures == 1 ? now : firstFailure;
                if (!answered && ioFailures >= CONNECT_ATTEMPTS) {
                    return new Unreachable(describe(e));
                }
                if (answered && now - firstFailure >= RESTART_WINDOW.toNanos()) {
                    return new Unreachable(describe(e) + " for " + RESTART_WINDOW.toMinutes() + " minutes");
                }
                onRetry.run();
                Thread.sleep(Math.min(MAX_BACKOFF.toMillis(), FIRST_BACKOFF.toMillis() << Math.min(ioFailures - 1, 5)));
                continue;
            }
            answered = true;
            int status = response.statusCode();
            if (status == 503) {
                Duration wait = retryAfter(response);
                noticeOnce(response.body(), wait);
                onRetry.run();
                Thread.sleep(wait.toMillis());
                continue;
            }
            if (status / 100 == 2) {
                return new Accepted(acceptedCount(response.body(), events));
            }
            return new Rejected(status, reason(response.body()));
        }
    }

    /**
     * Says why the node answers 503, the first time it answers with each problem type: a run that only retries (a
     * product paused for hours) would otherwise look hung.
     */
    private void noticeOnce(String body, Duration wait) {
        Optional<JsonNode> problem = parse(body).filter(JsonNode::isObject);
        String type = problem.map(p -> p.path("type").asText("")).orElse("");
        String slug = type.equals("about:blank") ? "" : type.substring(type.lastIndexOf('/') + 1);
        // a held product (Retry-After 30) after plain backpressure is news too
        if (noticed.add(slug + "/" + wait.toSeconds())) {
            String detail = problem.map(p -> p.path("detail").asText("")).filter(d -> !d.isBlank())
                    .orElseGet(() -> reason(body));
            notice.accept("the node answers 503" + (slug.isEmpty() ? "" : " " + slug) + ": " + detail
                    + "; re-sending every " + wait.toSeconds() + " s until it takes them (Ctrl-C stops the run)");
        }
    }

    private static Duration retryAfter(HttpResponse<?> response) {
        return response.headers().firstValue("Retry-After")
                .map(String::trim)
                .filter(value -> DELTA_SECONDS.matcher(value).matches())
                .map(value -> Duration.ofSeconds(Long.parseLong(value)))
                .orElse(DEFAULT_RETRY_AFTER);
    }

    private long acceptedCount(String body, int events) {
        // a 2xx already means the node made the batch durable; the count in the body is informational
        return parse(body)
                .map(node -> node.path("accepted"))
                .filter(JsonNode::canConvertToLong)
                .map(JsonNode::asLong)
                .orElse((long) events);
    }

    /** "title: detail" of an RFC 9457 problem, else the start of whatever the body is. */
    private String reason(String body) {
        String text = parse(body)
                .filter(JsonNode::isObject)
                .map(problem -> Stream.of(problem.path("title").asText(""), problem.path("detail").asText(""))
                        .filter(part -> !part.isBlank())
                        .collect(Collectors.joining(": ")))
                .filter(joined -> !joined.isBlank())
                .orElse(body.strip().replaceAll("\\s+", " "));
        return text.length() <= MAX_REASON_LENGTH ? text : text.substring(0, MAX_REASON_LENGTH) + "…";
    }

    private Optional<JsonNode> parse(String body) {
        try {
            return Optional.of(json.readTree(body));
        } catch (JsonProcessingException e) {
            // the body comes from whatever listens at --target; callers fall back to the status code
            return Optional.empty();
        }
    }

    /** One short phrase for a connection failure; the JDK often hides the useful message in a cause. */
    private static String describe(IOException e) {
        if (e instanceof HttpConnectTimeoutException) {
            return "connection timed out";
        }
        boolean refused = false;
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof UnresolvedAddressException) {
                return "unknown host";
            }
            if (t instanceof javax.net.ssl.SSLHandshakeException) {
                // PKIX path building failed: usually a self-signed certificate this JVM does not trust
                return "the server's TLS certificate is not trusted (" + t.getMessage() + "); give simulate a"
                    + " trust store holding it: LAKEMESH_JAVA_OPTS=\"-Djavax.net.ssl.trustStore=<file.p12>"
                    + " -Djavax.net.ssl.trustStorePassword=<password>\" (README, TLS)";
            }
            if (t.getMessage() != null && t.getMessage().contains("header parser received no bytes")) {
                return "the server closed the connection without an answer (is it serving HTTPS? then use https://)";
            }
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                return t.getMessage();
            }
            refused |= t instanceof ConnectException;
        }
        // the JDK client throws a bare ConnectException when nothing listens on the port
        return refused ? "connection refused" : e.getClass().getSimpleName();
    }
}
