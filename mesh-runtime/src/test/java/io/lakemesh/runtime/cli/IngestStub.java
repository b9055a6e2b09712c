package io.lakemesh.runtime.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * A real HTTP server on a loopback port that speaks the ingest API's protocol: it answers each request with
 * the reply the test scripted for that request's number, and keeps the bodies it accepted.
 */
final class IngestStub implements AutoCloseable {

    /** What the stub answers to the n-th request (counting from 1). */
    record Reply(int status, String contentType, String body, String retryAfter) {
        static Reply accepted() {
            return new Reply(202, "application/json", null, null);
        }

        static Reply busy(int retryAfterSeconds) {
            return new Reply(503, "application/problem+json",
                    "{\"type\":\"about:blank\",\"title\":\"Service Unavailable\",\"status\":503}",
                    String.valueOf(retryAfterSeconds));
        }

        static Reply problem(int status, String title, String detail) {
            return new Reply(status, "application/problem+json",
                    "{\"type\":\"about:blank\",\"title\":\"" + title + "\",\"status\":" + status
                            + ",\"detail\":\"" + detail + "\"}", null);
        }
    }

    /** One request as the stub saw it. */
    record Received(String path, String contentType, String authorization, String body, int status) {
        List<String> lines() {
            return body.lines().toList();
        }
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(8);
    private final IntFunction<Reply> script;
    private final AtomicInteger requests = new AtomicInteger();
    private final List<Received> received = Collections.synchronizedList(new ArrayList<>());

    IngestStub(IntFunction<Reply> script) throws IOException {
        this(script, 0);
    }

    /** A stub on {@code port} (0: any free one): a node started again where it was. */
    IngestStub(IntFunction<Reply> script, int port) throws IOException {
        this.script = script;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        server.createContext("/api/v1/products/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    String url() {
        return "http://" + server.getAddress().getHostString() + ":" + server.getAddress().getPort();
    }

    List<Received> received() {
        synchronized (received) {
            return List.copyOf(received);
        }
    }

    /** The events of every request answered 2xx, for one product, in no particular order. */
    List<String> acceptedEvents(String productId) {
        return received().stream()
                .filter(request -> request.status() / 100 == 2)
                .filter(request -> request.path().equals("/api/v1/products/" + productId + "/events"))
                .flatMap(request -> request.lines().stream())
                .toList();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            Reply reply = script.apply(requests.incrementAndGet());
            received.add(new Received(exchange.getRequestURI().getPath(),
                    exchange.getRequestHeaders().getFirst("Content-Type"),
                    exchange.getRequestHeaders().getFirst("Authorization"),
                    body, reply.status()));
            String answer = reply.body() != null ? reply.body() : "{\"accepted\":" + body.lines().count() + "}";
            exchange.getResponseHeaders().set("Content-Type", reply.contentType());
            if (reply.retryAfter() != null) {
                exchange.getResponseHeaders().set("Retry-After", reply.retryAfter());
            }
            byte[] bytes = answer.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(reply.status(), bytes.length);
            exchange.getResponseBody().write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
