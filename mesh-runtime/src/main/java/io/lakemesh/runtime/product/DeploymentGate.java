package io.lakemesh.runtime.product;

import io.lakemesh.contracts.ContractParser;
import io.lakemesh.contracts.InvalidContractException;
import io.lakemesh.contracts.evolution.ContractDiff;
import io.lakemesh.contracts.evolution.SchemaEvolution;
import io.lakemesh.contracts.evolution.Verdict;
import io.lakemesh.contracts.model.Contract;
import io.lakemesh.runtime.storage.Warehouse;
import io.lakemesh.contracts.evolution.ChangeKind;
import io.lakemesh.contracts.model.Stage;
import io.lakemesh.runtime.pipeline.GoldAggregator;
import io.lakemesh.runtime.storage.SnapshotPositions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Optional;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.catalog.TableIdentifier;
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
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A deployment refused because a contract changed incompatibly; the message holds every diff. */
  public static final class RefusedException extends RuntimeException {
    public RefusedException(String message) {
      super(message);
    }
  }

  private DeploymentGate() {}

  /**
   * A new major version deployed beside an older one takes over the product's id on its first start, with empty
   * tables that fill from the raw topic's history: readers of the unpinned id see its rows from now on, so say so.
   */
  private static void announceNewMajor(ProductCatalog products, Product newest) {
    String older = newest.id() + Product.VERSION_SEPARATOR;
    products.all().stream().filter(p -> p.id().startsWith(older) && p.majorVersion() < newest.majorVersion())
        .forEach(p -> LOG.warn("{} now names major version {} ({}), whose new tables {}; {} {} keeps its tables"
            + " and is served as {}: readers of {} read the new major from now on, and pin {} to keep reading the old"
            + " one", newest.id(), newest.majorVersion(), newest.contract().version(),
            newest.stage() == Stage.SOURCE ? "fill from the raw topic's history"
                : "are computed from all of " + newest.contract().settings().upstream(),
            newest.id(), p.contract().version(), p.id(), newest.id(), p.id()));
  }

  /** A compatible change judged, deployed only once every product of the start has been judged. */
  private record Deployment(Product product, Table served, Contract running, ContractDiff diff) {}

  public static void check(Warehouse warehouse, ProductCatalog products) {
    List<String> refusals = new ArrayList<>();
    List<Deployment> compatible = new ArrayList<>();
    Catalog catalog = warehouse.catalog();
    for (Product product : products.all()) {
      if (!catalog.tableExists(product.servedTable())) {
        announceNewMajor(products, product);
        continue;
      }
      Table served = catalog.loadTable(product.servedTable());
      Optional<String> computedFrom = computedFrom(product, served);
      abandonedUpstream(product, computedFrom, products).ifPresent(refusals::add);
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
        // the diff names the product; the file is what the operator edits
        int newest = products.all().stream().filter(p -> p.contract().id().equals(product.contract().id()))
            .mapToInt(Product::majorVersion).max().orElse(product.majorVersion());
        // the diff suggests the next major, which a newer major of the same contract may already have
        String takenMajor = newest > product.majorVersion()
            ? "  note: major " + (product.majorVersion() + 1) + " is taken (" + product.contract().id() + " runs major "
                + newest + " beside it): a new major goes above it (" + (newest + 1) + ".0.0) and then runs as the"
                + " newest; or keep this change out of " + product.id() + "\n"
            : "";
        refusals.add((newest > product.majorVersion() ? diff.render((newest + 1) + ".0.0") : diff.render()) + takenMajor + products.source(product).map(f -> products.isBuiltIn(product)
            // nothing to edit: the home holds the demo an earlier build deployed
            ? "  contract: the " + f + ", which this build ships; start it on a new --home (this home keeps the"
                + " data of the earlier version), or leave it out with --no-builtin-contracts\n"
            : "  contract file: " + f + "\n").orElse(""));
        continue;
      }
      if (diff.verdict() == Verdict.COMPATIBLE) {
        Optional<String> otherTable = repinnedToAnotherTable(product, computedFrom, diff, products);
        if (otherTable.isPresent()) {
          refusals.add(otherTable.get());
          continue;
        }
        compatible.add(new Deployment(product, served, running, diff));
      }
    }
    refusals.addAll(removedProducts(catalog, products));
    if (!refusals.isEmpty()) {
      // nothing is deployed: the other objects of a refused contract keep their version, so the file that ran
      // before still starts
      // each refusal says what would deploy: a new major, or (a changed routing key or product id) not even that
      throw new RefusedException("refused to deploy: a breaking contract change (each says what would deploy)\n"
          + String.join("\n", refusals));
    }
    compatible.forEach(DeploymentGate::deploy);
  }

  private static void deploy(Deployment d) {
    boolean evolved = SchemaEvolution.apply(d.diff(), d.served());
    d.served().updateProperties().set(CONTRACT_PROPERTY, d.product().contract().document().toString())
        .set("lakemesh.contract.version", d.product().contract().version()).commit();
    if (d.diff().versionNotRaised()) {
      LOG.warn("{}: deployed a changed contract under the same version {} ({}){}; raise the minor version so"
          + " consumers can tell the contracts apart", d.product().id(), d.running().version(), d.diff().counts(),
          evolved ? "; schema evolved in place" : "");
    } else {
      LOG.info("{}: deployed {} over {} ({}){}", d.product().id(), d.product().contract().version(),
          d.running().version(), d.diff().counts(), evolved ? "; schema evolved in place" : "");
    }
  }

  /**
   * A retired major whose events were routed by another first key column than the newest major's: the raw topic's
   * history was routed by the old one, so the new major would find re-sends of old events in other partitions.
   */
  private static Optional<String> rerouted(TableIdentifier table, String stored, ProductCatalog products) {
    List<Contract> retired;
    try {
      retired = ContractParser.parseAll(table + " (deployed contract)", stored);
    } catch (InvalidContractException e) {
      return Optional.empty(); // said above: not checked
    }
    for (Contract old : retired) {
      for (Product now : products.all()) {
        if (now.contract().id().equals(old.id()) && ContractDiff.compare(old, now.contract()).changes().stream()
            .anyMatch(c -> c.kind().changesRouting())) {
          return Optional.of("BREAKING  " + now.id() + " " + now.contract().version() + ": " + table
              + " holds " + old.id() + " " + old.version() + ", whose events were routed by another first"
              + " primary-key column; the raw topic's history is routed so, and a re-sent event would be stored"
              + " twice: keep the first primary-key column, or publish the new key as another product");
        }
      }
    }
    return Optional.empty();
  }

  /**
   * The upstream table a derived product's table was last computed from, as its newest snapshot records it; empty
   * for a source product, a derived one that names no upstream, or a table nothing was computed into yet.
   */
  private static Optional<String> computedFrom(Product product, Table served) {
    if (product.stage() == Stage.SOURCE || product.contract().settings().upstream() == null) {
      return Optional.empty();
    }
    return SnapshotPositions.latest(served, GoldAggregator.UPSTREAM_TABLE);
  }

  /**
   * A derived product whose table was computed from a major of its upstream that is no longer deployed (its file
   * removed to retire it): reading the newest major instead would change rows it has published, which no contract
   * change asked for. Refused, naming the ways out.
   */
  private static Optional<String> abandonedUpstream(Product gold, Optional<String> recorded,
      ProductCatalog products) {
    String named = gold.contract().settings().upstream();
    if (recorded.isEmpty() || named.contains(Product.VERSION_SEPARATOR)) {
      return Optional.empty();
    }
    Optional<Product> newest = products.find(named);
    if (newest.isEmpty()) {
      return Optional.empty();
    }
    List<Product> majors = products.all().stream()
        .filter(p -> p.contract().id().equals(newest.get().contract().id())).toList();
    if (majors.stream().anyMatch(p -> ProductCatalog.isTable(recorded.get(), p))
        || !ProductCatalog.isTableOfSomeMajor(recorded.get(), newest.get())) {
      return Optional.empty();
    }
    return Optional.of("BREAKING  " + gold.id() + " " + gold.contract().version() + ": its table was"
        + " computed from " + recorded.get() + ", a major version of " + named + " that is no longer deployed;"
        + " computing it from " + named + " " + newest.get().contract().version() + " instead would change the rows"
        + " it has published: retire " + gold.id() + " too (remove its contract file; its table stays), give it a new"
        + " major version to compute it from " + named + " " + newest.get().contract().version() + ", or keep the"
        + " older major of " + named + " deployed");
  }

  /**
   * A gold product's upstream pinned to a major ({@code <id>@v<major>}, or unpinned) is compatible only when it reads
   * the table the product was computed from: else its rows would be computed again from another major.
   */
  private static Optional<String> repinnedToAnotherTable(Product gold, Optional<String> recorded, ContractDiff diff,
      ProductCatalog products) {
    if (recorded.isEmpty() || diff.changes().stream().noneMatch(c -> c.kind() == ChangeKind.UPSTREAM_CHANGED)) {
      return Optional.empty();
    }
    Product reads = products.boundUpstream(gold, recorded.get());
    if (ProductCatalog.isTable(recorded.get(), reads)) {
      return Optional.empty();
    }
    return Optional.of("BREAKING  " + gold.id() + " " + gold.contract().version() + ": its upstream becomes "
        + gold.contract().settings().upstream() + " (" + reads.servedTable() + "), but its table was computed from "
        + recorded.get() + ": name the major it reads, or give " + gold.id() + " a new major version to compute it"
        + " from another");
  }

  /**
   * Products a contract described when their tables were deployed and no longer does under the same major version:
   * a schema object removed from a contract is a product its readers lose, which the gate refuses like any breaking
   * change (a higher major version may drop it; its tables then stay as they are). Tables of a product whose
   * contract file is gone are only logged: retiring a whole contract is allowed.
   */
  private static List<String> removedProducts(Catalog catalog, ProductCatalog products) {
    if (!(catalog instanceof SupportsNamespaces namespaces)) {
      return List.of();
    }
    // the contracts about to run, by their document id: the newest major of each
    Map<String, Contract> running = new HashMap<>();
    for (Product p : products.all()) {
      String documentId = p.contract().document().path("id").asText();
      running.merge(documentId, p.contract(),
          (a, b) -> Product.majorOf(a.version()) >= Product.majorOf(b.version()) ? a : b);
    }
    List<String> refusals = new ArrayList<>();
    for (Namespace namespace : namespaces.listNamespaces()) {
      for (TableIdentifier id : catalog.listTables(namespace)) {
        if (!id.name().endsWith("_silver") && !id.name().endsWith("_gold")) {
          continue; // only served tables carry the contract; bronze and quarantine need no loading
        }
        Map<String, String> properties = catalog.loadTable(id).properties();
        String product = properties.get("lakemesh.product");
        String stored = properties.get(CONTRACT_PROPERTY);
        // served by a product of this node: the table's own product (the id it names may now be a newer major's)
        if (product == null || stored == null
            || products.all().stream().anyMatch(p -> p.servedTable().equals(id))) {
          continue;
        }
        JsonNode document;
        try {
          document = JSON.readTree(stored);
        } catch (java.io.IOException e) {
          LOG.warn("{}: the contract stored with it cannot be read; not checking it: {}", id, e.getMessage());
          continue;
        }
        Contract now = running.get(document.path("id").asText());
        String storedVersion = document.path("version").asText();
        if (now == null) {
          // its contract file is gone: allowed (a product is retired that way), but never silently
          LOG.warn("{} holds the data of product {} ({}), which no contract on this node describes: it is not"
              + " served; its tables stay as they are", id, product, storedVersion);
          continue;
        }
        if (Product.majorOf(now.version()) == Product.majorOf(storedVersion)) {
          refusals.add("BREAKING  " + product + " " + storedVersion + ": contract " + document.path("id").asText()
              + " " + now.version() + " no longer describes it, but " + id + " holds its data; removing a product"
              + " needs a new major version (its tables stay as they are), or keep its schema object");
        } else {
          // an older major whose file was removed while a newer one runs: retired, as the README says, not silently
          LOG.warn("{} holds the data of product {} version {}, whose contract file is gone (contract {} runs at {}):"
              + " it is not served; its tables stay as they are", id, product, storedVersion,
              document.path("id").asText(), now.version());
          rerouted(id, stored, products).ifPresent(refusals::add);
        }
      }
    }
    return refusals;
  }

}
