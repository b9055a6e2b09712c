package io.lakemesh.runtime.product;

import io.lakemesh.contracts.ContractParser;
import io.lakemesh.contracts.InvalidContractException;
import io.lakemesh.contracts.evolution.ContractDiff;
import io.lakemesh.contracts.evolution.SchemaEvolution;
import io.lakemesh.contracts.evolution.Verdict;
import io.lakemesh.contracts.model.Contract;
import io.lakemesh.runtime.storage.Warehouse;
import java.util.ArrayList;
import java.util.List;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks each contract about to run against the version its tables were last deployed with (kept in the served
 * table's {@code lakemesh.contract} property). A compatible change evolves the tables in place (no data
 * rewrite); a breaking change on the same major version refuses the start with a readable diff; a new major
 * version gets its own tables and starts empty beside the old ones.
 */
public final class DeploymentGate {
  public static final String CONTRACT_PROPERTY = "lakemesh.contract";
  private static final Logger LOG = LoggerFactory.getLogger(DeploymentGate.class);

  /** A deployment refused because a contract changed incompatibly; the message holds every diff. */
  public static final class RefusedException extends RuntimeException {
    public RefusedException(String message) {
      super(message);
    }
  }

  private DeploymentGate() {}

  public static void check(Warehouse warehouse, ProductCatalog products) {
    List<String> refusals = new ArrayList<>();
    Catalog catalog = warehouse.catalog();
    for (Product product : products.all()) {
      if (!catalog.tableExists(product.servedTable())) {
        continue;
      }
      Table served = catalog.loadTable(product.servedTable());
      String stored = served.properties().get(CONTRACT_PROPERTY);
      if (stored == null) {
        continue;
      }
      Contract running;
      try {
        List<Contract> deployed = ContractParser.parseAll(product.servedTable() + " (deployed contract)", stored);
        // the deployed document may describe several products (schema objects): compare this one's
        running = deployed.stream().filter(c -> c.id().equals(product.contract().id())).findFirst()
            .orElse(deployed.size() == 1 ? deployed.get(0) : null);
        if (running == null) {
          LOG.warn("{}: the contract deployed with {} does not describe this product; not comparing", product.id(),
              product.servedTable());
          continue;
        }
      } catch (InvalidContractException e) {
        // the stored version was valid when it was deployed; if today's parser disagrees, say so and go on
        LOG.warn("{}: the contract deployed with {} no longer parses; not comparing: {}", product.id(),
            product.servedTable(), e.getMessage());
        continue;
      }
      ContractDiff diff = ContractDiff.compare(running, product.contract());
      if (diff.changes().isEmpty()) {
        continue;
      }
      if (diff.verdict() == Verdict.BREAKING) {
        refusals.add(diff.render());
        continue;
      }
      if (diff.verdict() == Verdict.COMPATIBLE) {
        boolean evolved = SchemaEvolution.apply(diff, served);
        served.updateProperties().set(CONTRACT_PROPERTY, product.contract().document().toString())
            .set("lakemesh.contract.version", product.contract().version()).commit();
        LOG.info("{}: deployed {} over {} ({}){}", product.id(), product.contract().version(),
            running.version(), diff, evolved ? "; schema evolved in place" : "");
      }
    }
    if (!refusals.isEmpty()) {
      throw new RefusedException("refused to deploy: a breaking contract change needs a new major version\n"
          + String.join("\n", refusals));
    }
  }
}
