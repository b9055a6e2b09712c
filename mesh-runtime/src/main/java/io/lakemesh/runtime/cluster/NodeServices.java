package io.lakemesh.runtime.cluster;

import io.lakemesh.runtime.pipeline.PipelineSettings;
import io.lakemesh.runtime.pipeline.ProgressBoard;
import io.lakemesh.runtime.product.ProductCatalog;
import io.lakemesh.runtime.storage.Warehouse;
import java.util.concurrent.Executor;

/** What a node's actors share: the products, the catalog of tables, the log and an executor for blocking I/O. */
public record NodeServices(
    ProductCatalog products,
    Warehouse warehouse,
    String kafkaBootstrap,
    PipelineSettings pipeline,
    ProgressBoard progress,
    Executor io,
    java.util.concurrent.ConcurrentMap<String, io.lakemesh.runtime.pipeline.CommitFeed> feeds,
    io.lakemesh.runtime.stream.ChangeHub changes) {

  /** Recent silver commits of a product, shared in this process between its source and gold stages. */
  public io.lakemesh.runtime.pipeline.CommitFeed feed(String productId) {
    return feeds.computeIfAbsent(productId, id -> new io.lakemesh.runtime.pipeline.CommitFeed(4));
  }
}
