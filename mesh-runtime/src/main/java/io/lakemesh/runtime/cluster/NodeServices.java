package io.lakemesh.runtime.cluster;

import io.lakemesh.runtime.pipeline.PipelineSettings;
import io.lakemesh.runtime.pipeline.ProgressBoard;
import io.lakemesh.runtime.product.ProductCatalog;
import io.lakemesh.runtime.storage.Warehouse;
import java.util.concurrent.Executor;

/**
 * What a node's actors share: the products, the catalog of tables, the log and two executors.
 *
 * @param io blocking work of the pipelines (a batch's preparing and committing, gold runs, replays), which may wait
 *     for parts it hands to {@code batchParts}
 * @param batchParts the parts of one batch (validation slices, table writes), which never wait for other tasks: had
 *     they shared {@code io}, every thread could be a commit waiting for a part queued behind the other commits,
 *     as happened with many products on one node
 */
public record NodeServices(
    ProductCatalog products,
    Warehouse warehouse,
    String kafkaBootstrap,
    PipelineSettings pipeline,
    ProgressBoard progress,
    Executor io,
    Executor batchParts,
    java.util.concurrent.ConcurrentMap<String, io.lakemesh.runtime.pipeline.CommitFeed> feeds,
    io.lakemesh.runtime.stream.ChangeHub changes) {

  /** Recent silver commits of a product, shared in this process between its source and gold stages. */
  public io.lakemesh.runtime.pipeline.CommitFeed feed(String productId) {
    return feeds.computeIfAbsent(productId, id -> new io.lakemesh.runtime.pipeline.CommitFeed(4));
  }
}
