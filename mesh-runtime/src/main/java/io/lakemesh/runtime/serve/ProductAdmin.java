package io.lakemesh.runtime.serve;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lakemesh.runtime.cluster.ClusterProgress;
import io.lakemesh.runtime.cluster.DataProduct;
import io.lakemesh.runtime.cluster.WorkerId;
import io.lakemesh.runtime.cluster.WorkerPlacement;
import io.lakemesh.runtime.pipeline.ProgressBoard;
import io.lakemesh.runtime.product.Product;
import io.lakemesh.runtime.product.ProductCatalog;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;

/**
 * Operator actions on products, addressed through cluster sharding so they reach each product's workers wherever
 * they run: list products with each worker's node and state, pause (drain and stay stopped) and resume (from the
 * last commit).
 */
public final class ProductAdmin {
  private static final Duration ASK_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration REPLAY_TIMEOUT = Duration.ofMinutes(5);

  private final ProductCatalog products;
  private final ClusterProgress workers;

  private final WorkerPlacement placement;
  /** Each worker's last commit as its table records it: what a worker that has not committed on its node shows. */
  private final java.util.function.Function<Product, ProductStats.TableCommits> lastCommits;

  public ProductAdmin(ProductCatalog products, ClusterProgress workers, WorkerPlacement placement,
      java.util.function.Function<Product, ProductStats.TableCommits> lastCommits) {
    this.products = products;
    this.workers = workers;
    this.placement = placement;
    this.lastCommits = lastCommits;
  }

  /**
   * Places product workers: with an empty body, deals every domain's workers evenly over its Up nodes; with a JSON
   * object {@code {"retail.transactions#0": "pekko://lakemesh@10.0.0.5:25520"}}, moves those workers there (e.g.
   * to empty a node before maintenance). Answers with the placement set; workers move within a few seconds.
   */
  public CompletionStage<HttpResponse> rebalance(String body) {
    String at = "/lakemesh/rebalance";
    CompletionStage<java.util.Map<String, String>> placed;
    try {
      if (body == null || body.isBlank()) {
        placed = placement.rebalance();
      } else {
        com.fasterxml.jackson.databind.JsonNode moves = new com.fasterxml.jackson.databind.ObjectMapper()
            .readTree(body);
        if (moves == null || !moves.isObject()) {
          throw new IllegalArgumentException("the body must be a JSON object of worker -> node address");
        }
        java.util.Map<String, String> wanted = new java.util.LinkedHashMap<>();
        moves.fields().forEachRemaining(e -> wanted.put(e.getKey(), e.getValue().asText()));
        placed = placement.move(wanted);
      }
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      return CompletableFuture.completedFuture(new Problem(400, "malformed-body", "Malformed body",
          "the body is not JSON: " + e.getOriginalMessage()).toResponse(at));
    } catch (IllegalArgumentException e) {
      return CompletableFuture.completedFuture(new Problem(400, "bad-placement", "Bad placement", e.getMessage())
          .toResponse(at));
    }
    return placed.handle((plan, error) -> {
      if (error != null) {
        return new Problem(503, "unavailable", "Service unavailable", "the placement could not be stored: "
            + error.getMessage()).toResponse(at);
      }
      ObjectNode node = JsonNodeFactory.instance.objectNode();
      node.set("placement", new com.fasterxml.jackson.databind.ObjectMapper().valueToTree(plan));
      node.put("detail", "workers whose node changed move within the sharding rebalance interval (5 s)");
      return json(202, node.toString());
    });
  }

  public CompletionStage<HttpResponse> list() {
    List<CompletableFuture<ClusterProgress.WorkerStatus>> asks = workers.askAll();
    return CompletableFuture.allOf(asks.toArray(CompletableFuture[]::new)).thenApply(v -> {
      List<ClusterProgress.WorkerStatus> all = asks.stream().map(CompletableFuture::join).toList();
      ArrayNode list = JsonNodeFactory.instance.arrayNode();
      for (Product p : products.all()) {
        list.add(describe(p, all.stream().filter(s -> s.worker().productId().equals(p.id())).toList()));
      }
      return json(200, list.toString());
    });
  }

  public CompletionStage<HttpResponse> pause(String id) {
    return act(id, true, false);
  }

  /**
   * @param quarantineBatch {@code true}: the first batch after resuming that fails a critical rule again (the one a
   *     halted stage stopped on) sends the events that fail alone to quarantine instead of halting the stage; null
   *     or {@code false}: retried
   */
  public CompletionStage<HttpResponse> resume(String id, String quarantineBatch) {
    if (quarantineBatch != null && !quarantineBatch.equals("true") && !quarantineBatch.equals("false")) {
      return CompletableFuture.completedFuture(Problem.badRequest("bad-parameter", "quarantine-batch is true or"
          + " false, not '" + quarantineBatch + "'").toResponse("/lakemesh/products/" + id + "/resume"));
    }
    Product p = products.find(id).orElse(null);
    if (p == null || !workers.hosted(p)) {
      return act(id, false, "true".equals(quarantineBatch)); // answers the 404 or 409 either resume would
    }
    return anyHalted(p).thenCompose(halted -> {
      if (!"true".equals(quarantineBatch)) {
        // a halted batch is retried as it is: say what happens next, or "running" reads as if the halt were over
        return act(id, false, false, Boolean.TRUE.equals(halted) ? "the batch a critical rule halted on is retried; if the rule fails"
            + " again the stage halts again. To send the events that fail alone to quarantine, resume with"
            + " quarantine-batch=true" : null);
      }
      // quarantining is asked for a batch a critical rule halted on: say so when there is none, rather than resume
      // as if the parameter had done something
      return !Boolean.FALSE.equals(halted) ? act(id, false, true) : CompletableFuture.completedFuture(new Problem(409, "not-halted",
          "Conflict", "no worker of " + id + " is halted by a critical rule, so there is no batch to quarantine;"
          + " resume without quarantine-batch").toResponse("/lakemesh/products/" + id + "/resume"));
    });
  }

  /** Whether a worker of the product is halted by a critical rule; null when one does not answer in time. */
  private CompletionStage<Boolean> anyHalted(Product p) {
    List<CompletableFuture<ProgressBoard.PipelineState>> states = WorkerId.of(p).stream()
        .map(w -> workers.entity(p, w).<ProgressBoard.PipelineState>ask(DataProduct.GetState::new, ASK_TIMEOUT)
            .toCompletableFuture())
        .toList();
    return CompletableFuture.allOf(states.toArray(CompletableFuture[]::new)).handle((v, error) -> error != null
        ? null : states.stream().map(CompletableFuture::join).anyMatch(s -> s.state().equals("halted")));
  }

  /**
   * Replays a derived product from its upstream (see {@link DataProduct.Replay}); answers when the replay has
   * committed, with what it recomputed.
   */
  public CompletionStage<HttpResponse> replay(String id, String from) {
    String at = "/lakemesh/products/" + id + "/replay";
    Product p = products.find(id).orElse(null);
    if (p == null) {
      // only the platform admin gets here for an unknown id (ManagementRoutes answers others): it sees every product
      return CompletableFuture.completedFuture(Problem.notFound(products.unknown(id, any -> true)).toResponse(at));
    }
    if (from == null || from.isBlank()) {
      // a replay is heavy; doing it from the beginning must be asked for, not fallen into by a missing parameter
      return CompletableFuture.completedFuture(Problem.badRequest("missing-from", "a replay needs from: a time"
          + " (2026-11-25T00:00:00Z), snapshot:<id> or beginning").toResponse(at));
    }
    try {
      io.lakemesh.runtime.cluster.ReplayPoint.checkForm(from, p.stage() == io.lakemesh.contracts.model.Stage.SOURCE);
    } catch (IllegalArgumentException typo) {
      // refused before any worker stops for it
      return CompletableFuture.completedFuture(new Problem(400, "replay-refused", "Replay refused",
          typo.getMessage()).toResponse(at));
    }
    try {
      java.time.Instant since = java.time.Instant.parse(from);
      if (since.isAfter(java.time.Instant.now())) {
        // nothing was committed after it: a replay would stop the pipeline to do nothing (a typo'd year, most likely)
        return CompletableFuture.completedFuture(Problem.badRequest("bad-from", "from " + from + " is in the future:"
            + " a replay from there has nothing to replay").toResponse(at));
      }
    } catch (java.time.format.DateTimeParseException notATime) {
      // beginning or snapshot:<id>
    }
    if (p.stage() == io.lakemesh.contracts.model.Stage.SOURCE && p.keyColumns().isEmpty()) {
      // a replay adds what silver lacks; without a key nothing says which events silver already holds
      return CompletableFuture.completedFuture(new Problem(409, "no-primary-key", "Conflict", p.id()
          + " has no primary key, so a replay cannot tell which events silver already holds and would add them"
          + " twice; declare a primaryKey to replay it").toResponse(at));
    }
    if (!workers.hosted(p)) {
      return CompletableFuture.completedFuture(unassigned(p, "replay").toResponse(at));
    }
    // every worker of the product replays its part (one for a derived product, one per partition for a source)
    List<CompletableFuture<DataProduct.ReplayOutcome>> replies = new ArrayList<>();
    for (WorkerId worker : WorkerId.of(p)) {
      replies.add(workers.entity(p, worker).<DataProduct.ReplayOutcome>ask(
          replyTo -> new DataProduct.Replay(from, replyTo), REPLAY_TIMEOUT).toCompletableFuture());
    }
    CompletionStage<DataProduct.ReplayOutcome> reply = CompletableFuture
        .allOf(replies.toArray(CompletableFuture[]::new))
        .thenApply(v -> {
          List<DataProduct.ReplayOutcome> all = replies.stream().map(CompletableFuture::join).toList();
          String error = all.stream().map(DataProduct.ReplayOutcome::error).filter(java.util.Objects::nonNull)
              .findFirst().orElse(null);
          return new DataProduct.ReplayOutcome(error, all.get(0).fromSnapshot(),
              all.stream().mapToInt(DataProduct.ReplayOutcome::upstreamRows).sum(),
              all.stream().mapToInt(DataProduct.ReplayOutcome::partitionsRewritten).sum(),
              all.stream().mapToInt(DataProduct.ReplayOutcome::rowsWritten).sum());
        });
    return reply.handle((outcome, error) -> {
      if (error != null) {
        return new Problem(503, "unreachable", "Service unavailable", "the product did not answer within "
            + REPLAY_TIMEOUT.toSeconds() + " s; the replay may still be running").toResponse(at);
      }
      if (outcome.error() != null) {
        return new Problem(400, "replay-refused", "Replay refused", outcome.error()).toResponse(at);
      }
      ObjectNode node = JsonNodeFactory.instance.objectNode().put("id", id).put("replayed", true);
      node.put("from", from == null || from.isBlank() ? "beginning" : from);
      if (outcome.fromSnapshot() != null) {
        // a string, as everywhere: snapshot ids exceed 2^53, where JavaScript's numbers lose digits
        node.put("fromSnapshot", String.valueOf(outcome.fromSnapshot()));
      }
      if (p.stage() == io.lakemesh.contracts.model.Stage.SOURCE) {
        node.put("recordsRead", outcome.upstreamRows()).put("addedToSilver", outcome.rowsWritten());
      } else {
        node.put("upstreamRows", outcome.upstreamRows()).put("partitionsRewritten", outcome.partitionsRewritten())
            .put("rowsWritten", outcome.rowsWritten());
      }
      return json(200, node.toString());
    });
  }

  /** Pauses or resumes every worker of the product; answers with their new states. */
  private CompletionStage<HttpResponse> act(String id, boolean pause, boolean quarantineBatch) {
    return act(id, pause, quarantineBatch, null);
  }

  /** @param detail a sentence for the answer on what happens next, or null */
  private CompletionStage<HttpResponse> act(String id, boolean pause, boolean quarantineBatch, String detail) {
    Product p = products.find(id).orElse(null);
    if (p == null) {
      return CompletableFuture.completedFuture(Problem.notFound(products.unknown(id, any -> true))
          .toResponse("/lakemesh/products/" + id));
    }
    if (!workers.hosted(p)) {
      return CompletableFuture.completedFuture(unassigned(p, pause ? "pause" : "resume")
          .toResponse("/lakemesh/products/" + id));
    }
    List<CompletableFuture<ClusterProgress.WorkerStatus>> replies = new ArrayList<>();
    for (WorkerId w : WorkerId.of(p)) {
      CompletionStage<ProgressBoard.PipelineState> reply = pause
          ? workers.entity(p, w).ask(DataProduct.Pause::new, ASK_TIMEOUT)
          : workers.entity(p, w).ask(replyTo -> new DataProduct.Resume(replyTo, quarantineBatch), ASK_TIMEOUT);
      replies.add(reply.toCompletableFuture().handle((state, error) ->
          new ClusterProgress.WorkerStatus(w, error == null ? state : null)));
    }
    return CompletableFuture.allOf(replies.toArray(CompletableFuture[]::new)).thenApply(v -> {
      List<ClusterProgress.WorkerStatus> states = replies.stream().map(CompletableFuture::join).toList();
      if (states.stream().anyMatch(s -> s.state() == null)) {
        return new Problem(503, "unreachable", "Service unavailable",
            "some workers of the product did not answer in time; their state is unknown, try again")
            .toResponse("/lakemesh/products/" + id);
      }
      ObjectNode answer = describe(p, states);
      if (detail != null) {
        answer.put("detail", detail);
      }
      return json(202, answer.toString());
    });
  }

  /** An action on a product whose domain no member runs: there is no pipeline to act on. */
  private static Problem unassigned(Product p, String action) {
    String domain = p.contract().domain();
    return new Problem(409, "unassigned", "Conflict", "no member of the cluster runs domain " + domain
        + " (role domain-" + domain + "), so " + p.id() + " has no pipeline to " + action);
  }

  private ObjectNode describe(Product p, List<ClusterProgress.WorkerStatus> states) {
    ObjectNode node = JsonNodeFactory.instance.objectNode().put("id", p.id());
    node.setAll(ProductStats.pipeline(states, lastCommits.apply(p)));
    return node;
  }

  private static HttpResponse json(int status, String body) {
    return HttpResponse.create().withStatus(status).withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON,
        body));
  }
}
