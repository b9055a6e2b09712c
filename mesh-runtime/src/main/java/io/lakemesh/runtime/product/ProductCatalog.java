package io.lakemesh.runtime.product;

import io.lakemesh.contracts.ContractParser;
import io.lakemesh.contracts.InvalidContractException;
import io.lakemesh.contracts.aggregate.AggregatePlan;
import io.lakemesh.contracts.model.Contract;
import io.lakemesh.contracts.model.Stage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Enumeration;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * The products this node knows: contracts shipped by domain modules (each module's
 * {@code META-INF/lakemesh/contracts.list} names contract resources, or a folder ending in {@code /} whose contract
 * files are all read: see {@link BundledContracts}) plus contracts found in extra directories. Every contract is parsed
 * and validated at start; one bad contract stops the start with all its problems listed.
 */
public final class ProductCatalog {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ProductCatalog.class);

  static final String INDEX = "META-INF/lakemesh/contracts.list";

  private final Map<String, Product> products;
  private final Map<String, Aggregation> aggregations;
  /** The aggregations gold contracts declare themselves, by product id. */
  private final Map<String, Aggregation> declared;
  /** How a contract read from a domain module's class path is named in messages (no file of the operator's). */
  private static final String BUILT_IN = "built-in contract ";

  /** The file (or classpath resource) each product's contract was read from, by product id as served. */
  private final Map<String, String> sources;

  private ProductCatalog(Map<String, Product> products, Map<String, Aggregation> aggregations,
      Map<String, Aggregation> declared, Map<String, String> sources) {
    this.declared = declared;
    this.sources = sources;
    this.products = products;
    this.aggregations = aggregations;
  }

  public static ProductCatalog load(ClassLoader loader, List<Path> extraDirs) throws InvalidContractException {
    return load(loader, extraDirs, true);
  }

  /**
   * @param builtin whether to load the contracts domain modules ship on the classpath (the retail demo among them);
   *     false for a deployment of one's own contracts only
   */
  public static ProductCatalog load(ClassLoader loader, List<Path> extraDirs, boolean builtin)
      throws InvalidContractException {
    List<Contract> contracts = new ArrayList<>();
    Map<Contract, String> sources = new IdentityHashMap<>();
    try {
      Enumeration<URL> indexes = builtin ? loader.getResources(INDEX) : java.util.Collections.emptyEnumeration();
      while (indexes.hasMoreElements()) {
        URL index = indexes.nextElement();
        String listing;
        try (InputStream in = index.openStream()) {
          listing = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        for (String line : listing.split("\n")) {
          String resource = line.trim();
          if (resource.isEmpty() || resource.startsWith("#")) {
            continue;
          }
          if (resource.endsWith("/")) {
            // a folder of contract files (a domain module's contracts/): each file in it, none to list by hand
            for (Map.Entry<String, String> file : BundledContracts.read(index, INDEX, resource).entrySet()) {
              contracts.addAll(products(BUILT_IN + file.getKey(), ContractParser.parseAll(file.getKey(),
                  file.getValue()), sources));
            }
            continue;
          }
          try (InputStream in = loader.getResourceAsStream(resource)) {
            if (in == null) {
              throw new IllegalStateException(index + " lists " + resource + " but it is not on the classpath");
            }
            contracts.addAll(products(BUILT_IN + resource, ContractParser.parseAll(resource,
                new String(in.readAllBytes(), StandardCharsets.UTF_8)), sources));
          }
        }
      }
      // every refused file is reported, not only the first, as lint does
      List<InvalidContractException> refused = new ArrayList<>();
      for (Path dir : extraDirs) {
        ContractDirectory listing = ContractDirectory.of(dir);
        for (Path file : listing.contracts()) {
          try {
            contracts.addAll(products(file.toString(), ContractParser.parseAll(file), sources));
          } catch (InvalidContractException e) {
            refused.add(e);
          }
        }
        // lint reads any YAML or JSON file; say why the node does not, rather than dropping it silently
        listing.skipped().forEach(file -> LOG.warn("{} is not loaded: contract files are named *.odcs.yaml,"
            + " *.odcs.yml or *.odcs.json", file));
        listing.broken().forEach(file -> LOG.warn("{} is not loaded: it is a link to nothing", file));
      }
      if (refused.size() == 1) {
        throw refused.get(0);
      }
      if (!refused.isEmpty()) {
        throw new InvalidContractException(refused);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Map<String, Aggregation> aggregations = new LinkedHashMap<>();
    ServiceLoader.load(Aggregation.class, loader).forEach(a -> aggregations.put(a.name(), a));
    return of(contracts, aggregations, sources);
  }

  /**
   * The products of one contract file, each remembered with its source; a contract without schema objects
   * describes none, and the log says so.
   */
  private static List<Contract> products(String source, List<Contract> products, Map<Contract, String> sources) {
    if (products.isEmpty()) {
      LOG.warn("{} describes no schema object, so no data product: nothing of it is run", source);
    }
    products.forEach(c -> sources.put(c, source));
    return products;
  }

  /**
   * Major versions of a source product read one raw topic, whose events the ingest endpoint routes by the newest's
   * first primary-key column, and each deduplicates per partition: a major keyed by another first column (or
   * another type of it) would find a re-sent event in another partition than its first copy and store it twice.
   */
  private static void sameRouting(List<Product> majors, Map<Contract, String> sources) {
    Product newest = majors.get(0);
    for (Product older : majors.subList(1, majors.size())) {
      // the evolution gate's own judgement: one definition of what routes an event
      io.lakemesh.contracts.evolution.ContractDiff diff = io.lakemesh.contracts.evolution.ContractDiff.compare(
          older.contract(), newest.contract());
      List<io.lakemesh.contracts.evolution.Change> widened = diff.accessWidenedByNewMajor();
      if (!widened.isEmpty()) {
        // allowed, but the new major's tables fill from the raw log's whole history: whoever it widens reads all of it
        LOG.warn("{} {} widens access over {} and reads the raw log's whole history: {}", newest.contract().id(),
            newest.contract().version(), older.contract().version(),
            widened.stream().map(io.lakemesh.contracts.evolution.Change::description).toList());
      }
      diff.changes().stream()
          .filter(c -> c.kind().changesRouting()).findFirst()
          .ifPresent(c -> {
            throw new IllegalStateException(newest.contract().id() + " " + newest.contract().version()
                + from(sources, newest.contract()) + " beside " + older.contract().version()
                + from(sources, older.contract()) + ": " + c.description() + "; " + (c.kind()
                    == io.lakemesh.contracts.evolution.ChangeKind.ROUTING_CHANGED
                    ? "keep the first primary-key column (and how it is written) across major versions, or publish"
                        + " the new key as another product"
                    : "keep lakemeshPartitions across major versions, or publish the new partitioning as another"
                        + " product"));
          });
    }
  }

  public static ProductCatalog of(Collection<Contract> contracts, Map<String, Aggregation> aggregations) {
    return of(contracts, aggregations, Map.of());
  }

  /** @param sources where each contract was read from (by identity), to name the file in what is said about it */
  static ProductCatalog of(Collection<Contract> contracts, Map<String, Aggregation> aggregations,
      Map<Contract, String> sources) {
    // major versions of one contract run side by side: the newest under the contract id, older ones as id@v<major>
    Map<String, List<Product>> versions = new LinkedHashMap<>();
    for (Contract c : contracts) {
      Product product;
      try {
        product = Product.of(c);
      } catch (RuntimeException e) {
        // Iceberg's own refusal (a property named like a partition field) names no file: say whose it is
        throw new IllegalStateException(c.id() + from(sources, c) + ": cannot build its Iceberg table: "
            + IcebergMessages.readable(e) + " (lakemesh contract lint says where)", e);
      }
      versions.computeIfAbsent(c.id(), k -> new ArrayList<>()).add(product);
    }
    Map<String, Product> products = new LinkedHashMap<>();
    for (List<Product> majors : versions.values()) {
      majors.sort(java.util.Comparator.comparingInt(Product::majorVersion).reversed());
      for (int i = 0; i < majors.size(); i++) {
        Product p = majors.get(i);
        if (i > 0 && p.majorVersion() == majors.get(i - 1).majorVersion()) {
          throw new IllegalStateException("two contracts declare product " + p.id() + " with major version "
              + p.majorVersion() + " (" + majors.get(i - 1).contract().version()
              + from(sources, majors.get(i - 1).contract()) + " and " + p.contract().version()
              + from(sources, p.contract()) + "): keep one file per major version");
        }
        Product named = i == 0 ? p : p.asOlderMajor();
        products.put(named.id(), named);
      }
      sameRouting(majors, sources);
    }
    Map<String, Aggregation> declared = new LinkedHashMap<>();
    for (Product p : products.values()) {
      if (p.stage() == Stage.GOLD) {
        String upstream = p.contract().settings().upstream();
        Product source = lookup(products, upstream);
        if (source == null) {
          int at = upstream.lastIndexOf(Product.VERSION_SEPARATOR);
          boolean retiredMajor = at > 0 && products.containsKey(upstream.substring(0, at));
          throw new IllegalStateException(p.id() + " reads " + upstream + ", which no contract declares"
              + (retiredMajor ? " (that major's file is gone, retiring it): deploy its contract again, retire " + p.id()
                  + " too (remove its file; its table stays), or give " + p.id() + " a new major version that reads "
                  + upstream.substring(0, at) : ""));
        }
        String notASource = notASource(p.id(), upstream, source.stage());
        if (notASource != null) {
          throw new IllegalStateException(notASource);
        }
        if (AggregatePlan.isDeclared(p.contract())) {
          // an unpinned upstream with several majors: the gold reads the one its table was computed from (see
          // upstreamOf), so its columns must fit that one; each major they fit gets a plan
          List<Product> candidates = upstream.contains(Product.VERSION_SEPARATOR) ? List.of(source)
              : products.values().stream().filter(u -> u.contract().id().equals(source.contract().id())).toList();
          IllegalArgumentException newestMisfit = null;
          for (Product candidate : candidates) {
            try {
              declared.put(planKey(p, candidate), new DeclaredAggregation(p.id(),
                  AggregatePlan.of(p.contract(), candidate.contract())));
            } catch (IllegalArgumentException e) {
              if (candidate == source) {
                newestMisfit = e;
              }
            }
          }
          if (candidates.stream().noneMatch(c -> declared.containsKey(planKey(p, c)))) {
            throw new IllegalStateException(newestMisfit.getMessage(), newestMisfit);
          }
          continue;
        }
        String transform = p.contract().settings().transform();
        if (transform == null || !aggregations.containsKey(transform)) {
          throw new IllegalStateException(p.id() + " needs the transformation '" + transform
              + "', which no domain module on the classpath provides (known: " + aggregations.keySet() + ")");
        }
      }
    }
    Map<String, String> sourceById = new LinkedHashMap<>();
    products.forEach((id, p) -> {
      String source = sources.get(p.contract());
      if (source != null) {
        sourceById.put(id, source);
      }
    });
    return new ProductCatalog(Map.copyOf(products), Map.copyOf(aggregations), Map.copyOf(declared),
        Map.copyOf(sourceById));
  }

  private static String from(Map<Contract, String> sources, Contract contract) {
    String source = sources.get(contract);
    return source == null ? "" : " in " + source;
  }

  /** The contract file (or classpath resource) a product was read from, when it was read from one. */
  public Optional<String> source(Product product) {
    return Optional.ofNullable(sources.get(product.id()));
  }

  /** Whether a product's contract ships in a domain module (the retail demo's), not in a file the operator keeps. */
  public boolean isBuiltIn(Product product) {
    return source(product).filter(s -> s.startsWith(BUILT_IN)).isPresent();
  }

  /**
   * Why a derived product may not read {@code upstream}, or null when it may: gold keeps its aggregates from the
   * rows its upstream appends, and only a source product's silver is appended to.
   */
  public static String notASource(String derived, String upstream, Stage upstreamStage) {
    return upstreamStage == Stage.SOURCE ? null : derived + " reads " + upstream + ", a "
        + upstreamStage.odcsName() + " product: a gold product keeps its aggregates from the rows its upstream"
        + " appends, and a gold product's rows are rewritten, not appended; let it read the source product itself";
  }

  /**
   * The ids of the source products that read {@code source}'s raw topic: itself first, then every other major of it
   * still served (each must read an event before the log's retention drops it).
   */
  public java.util.List<String> readersOfRawTopic(Product source) {
    java.util.List<String> readers = new java.util.ArrayList<>(java.util.List.of(source.id()));
    all().stream()
        .filter(other -> other.stage() == Stage.SOURCE && !other.id().equals(source.id())
            && other.rawTopic().equals(source.rawTopic()))
        .map(Product::id)
        .forEach(readers::add);
    return readers;
  }

  public Collection<Product> all() {
    return products.values().stream().sorted(java.util.Comparator.comparing(Product::id)).toList();
  }

  /**
   * What a 404 for an unknown id says: "no data product 'x'", and the product meant when the id is one in another
   * case, or a letter or two off one, among the products {@code visible} to the caller (who must not learn of
   * others this way).
   */
  public String unknown(String id, java.util.function.Predicate<Product> visible) {
    List<String> known = new java.util.ArrayList<>();
    for (Product p : all()) {
      if (visible.test(p)) {
        known.add(p.id());
        if (!p.pinnedId().equals(p.id())) {
          known.add(p.pinnedId()); // the newest major by its pinned id too
        }
      }
    }
    String meant = known.stream().filter(k -> k.equalsIgnoreCase(id)).findFirst()
        .map(k -> " (ids are case-sensitive: did you mean '" + k + "'?)")
        .or(() -> io.lakemesh.contracts.Misspelling.closest(id, known, 2).map(k -> " (did you mean '" + k + "'?)"))
        .orElse(id.contains(Product.VERSION_SEPARATOR) ? " (a major version is served while its contract file is"
            + " deployed: an older one is retired by removing its file)" : "");
    return "no data product '" + id + "'" + meant;
  }

  /**
   * A product by id. {@code <id>@v<major>} names an older major version that runs beside the newest, and also the
   * newest itself, so a reader can pin the major version it was written against.
   */
  public Optional<Product> find(String id) {
    return Optional.ofNullable(lookup(products, id));
  }

  private static Product lookup(Map<String, Product> products, String id) {
    Product found = products.get(id);
    int at = id.lastIndexOf(Product.VERSION_SEPARATOR);
    if (found == null && at > 0) {
      Product newest = products.get(id.substring(0, at));
      if (newest != null && id.substring(at + Product.VERSION_SEPARATOR.length())
          .equals(Integer.toString(newest.majorVersion()))) {
        found = newest;
      }
    }
    return found;
  }

  /**
   * The product a gold product reads: what its {@code lakemeshUpstream} names, where an id without {@code @v<major>}
   * is the newest major, except that a gold table computed from an older major that is still served keeps reading
   * it. A new major of a source product must not silently change the data of the gold products over it: they move
   * with a new major version of their own (new tables, computed from the newest upstream), or by naming
   * {@code <id>@v<major>}.
   *
   * @param recordedTable the upstream table the gold table's last commit says it was computed from; null if none
   */
  public Product upstreamOf(Product gold, String recordedTable) {
    Product bound = boundUpstream(gold, recordedTable);
    // an older major read because the table was computed from it (a pin names its major on purpose: no warning)
    if (!bound.id().equals(bound.contract().id())
        && !gold.contract().settings().upstream().contains(Product.VERSION_SEPARATOR)) {
      Product newest = newestUpstream(gold);
      LOG.warn("{} keeps reading {} ({}), which its table was computed from, not the newest major {} ({}): give {} a"
          + " new major version to compute it from {}", gold.id(), bound.id(), bound.contract().version(),
          newest.id(), newest.contract().version(), gold.id(), newest.id());
    }
    return bound;
  }

  /** {@link #upstreamOf}'s answer, without its warning: for listing what a gold product reads. */
  public Product boundUpstream(Product gold, String recordedTable) {
    Product newest = newestUpstream(gold);
    if (recordedTable == null || gold.contract().settings().upstream().contains(Product.VERSION_SEPARATOR)
        || isTable(recordedTable, newest)) {
      return newest;
    }
    return majorsOf(newest).stream().filter(p -> isTable(recordedTable, p)).findFirst().orElse(newest);
  }

  /** Every served major version of a product's contract, the product itself included. */
  private List<Product> majorsOf(Product product) {
    return products.values().stream().filter(p -> p.contract().id().equals(product.contract().id())).toList();
  }

  /**
   * True when which major a gold product reads depends on what its table was computed from: it names its upstream
   * without {@code @v<major>} and more than one major of that upstream is served.
   */
  public boolean upstreamDependsOnTable(Product gold) {
    Product newest = newestUpstream(gold);
    return !gold.contract().settings().upstream().contains(Product.VERSION_SEPARATOR) && majorsOf(newest).size() > 1;
  }

  private Product newestUpstream(Product gold) {
    String named = gold.contract().settings().upstream();
    return find(named).orElseThrow(() -> new IllegalStateException(gold.id() + " reads " + named
        + ", which no contract declares"));
  }

  /**
   * Whether {@code name} is the served table of some major version of {@code p}'s contract, deployed or not
   * ({@code retail.transactions_silver}, {@code retail.transactions_v2_silver}, ...).
   */
  static boolean isTableOfSomeMajor(String name, Product p) {
    String served = p.servedTable().toString();
    String kind = served.substring(served.lastIndexOf('_'));
    String base = served.substring(0, served.length() - kind.length()).replaceFirst("_v\\d+$", "");
    return name.matches("(.*\\.)?" + java.util.regex.Pattern.quote(base) + "(_v\\d+)?"
        + java.util.regex.Pattern.quote(kind));
  }

  static boolean isTable(String name, Product p) {
    String table = p.servedTable().toString();
    return name.equals(table) || name.endsWith("." + table);
  }

  /** The aggregation a gold product runs over its newest upstream (see {@link #aggregation(Product, Product)}). */
  public Aggregation aggregation(Product gold) {
    Product newest = newestUpstream(gold);
    Aggregation own = declared.get(planKey(gold, newest));
    if (own == null) {
      own = declared.entrySet().stream().filter(e -> e.getKey().startsWith(gold.id() + "|")).map(Map.Entry::getValue)
          .findFirst().orElse(null);
    }
    return own != null ? own : aggregations.get(gold.contract().settings().transform());
  }

  /**
   * The aggregation a gold product runs over the upstream it reads ({@link #upstreamOf}): a declared one is planned
   * against that major's columns.
   */
  public Aggregation aggregation(Product gold, Product upstream) {
    if (!AggregatePlan.isDeclared(gold.contract())) {
      return aggregations.get(gold.contract().settings().transform());
    }
    Aggregation own = declared.get(planKey(gold, upstream));
    if (own == null) {
      try {
        AggregatePlan.of(gold.contract(), upstream.contract());
      } catch (IllegalArgumentException misfit) {
        throw new IllegalStateException(gold.id() + " cannot be computed from " + upstream.id() + ": "
            + misfit.getMessage(), misfit);
      }
      throw new IllegalStateException(gold.id() + " has no plan for " + upstream.id());
    }
    return own;
  }

  private static String planKey(Product gold, Product upstream) {
    return gold.id() + "|" + upstream.id();
  }
}
