package io.lakemesh.runtime.serve;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lakemesh.runtime.cluster.DataProduct;
import io.lakemesh.runtime.pipeline.ProgressBoard;
import io.lakemesh.runtime.product.Product;
import io.lakemesh.runtime.product.ProductCatalog;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;

/**
 * Operator actions on products, addressed through cluster sharding so they reach each product wherever it runs:
 * list products with their pipeline state, pause (drain and stay stopped) and resume (from the last commit).
 */
public final class ProductAdmin {
  private static final Duration ASK_TIMEOUT = Duration.ofSeconds(10);

  private final ActorSystem<?> system;
  private final ProductCatalog products;

  public ProductAdmin(ActorSystem<?> system, ProductCatalog products) {
    this.system = system;
    this.products = products;
  }

  public CompletionStage<HttpResponse> list() {
    List<CompletableFuture<ObjectNode>> states = new ArrayList<>();
    for (Product p : products.all()) {
      states.add(entity(p).<ProgressBoard.PipelineState>ask(DataProduct.GetState::new, ASK_TIMEOUT)
          .toCompletableFuture()
          .handle((state, error) -> describe(p.id(), state, error)));
    }
    return CompletableFuture.allOf(states.toArray(CompletableFuture[]::new)).thenApply(v -> {
      ArrayNode list = JsonNodeFactory.instance.arrayNode();
      states.forEach(s -> list.add(s.join()));
      return json(200, list.toString());
    });
  }

  public CompletionStage<HttpResponse> pause(String id) {
    return act(id, true);
  }

  public CompletionStage<HttpResponse> resume(String id) {
    return act(id, false);
  }

  private CompletionStage<HttpResponse> act(String id, boolean pause) {
    Product p = products.find(id).orElse(null);
    if (p == null) {
      return CompletableFuture.completedFuture(Problem.notFound("no data product '" + id + "'")
          .toResponse("/lakemesh/products/" + id));
    }
    CompletionStage<ProgressBoard.PipelineState> reply = pause
        ? entity(p).ask(DataProduct.Pause::new, ASK_TIMEOUT)
        : entity(p).ask(DataProduct.Resume::new, ASK_TIMEOUT);
    return reply.handle((state, error) -> error == null
        ? json(202, describe(id, state, null).toString())
        : new Problem(503, "unreachable", "Service unavailable", "the product did not answer in time")
            .toResponse("/lakemesh/products/" + id));
  }

  private EntityRef<DataProduct.Command> entity(Product p) {
    return ClusterSharding.get(system).entityRefFor(DataProduct.typeKey(p.contract().domain()), p.id());
  }

  private ObjectNode describe(String id, ProgressBoard.PipelineState state, Throwable error) {
    ObjectNode node = JsonNodeFactory.instance.objectNode();
    node.put("id", id);
    if (error != null || state == null) {
      node.put("state", "unknown");
      return node;
    }
    node.put("state", state.state());
    node.put("node", state.node() == null ? Cluster.get(system).selfMember().address().toString() : state.node());
    node.put("batches", state.batches());
    node.put("lastCommit", state.lastCommit() == null ? null : state.lastCommit().toString());
    if (state.lastError() != null) {
      node.put("lastError", state.lastError());
    }
    return node;
  }

  private static HttpResponse json(int status, String body) {
    return HttpResponse.create().withStatus(status).withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON,
        body));
  }
}
