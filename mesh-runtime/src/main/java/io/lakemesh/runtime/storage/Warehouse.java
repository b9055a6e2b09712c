package io.lakemesh.runtime.storage;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.apache.iceberg.CatalogProperties;
import org.apache.iceberg.CatalogUtil;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.AlreadyExistsException;
import org.apache.iceberg.exceptions.NoSuchTableException;

/**
 * An Iceberg catalog and the warehouse behind it: where every Lakemesh table lives.
 *
 * <p>Embedded, it is a {@code JdbcCatalog} on a SQLite file with a local warehouse ({@link
 * #openLocal(Path)}); in production the same code takes catalog properties ({@link #open(Map)}),
 * e.g. a PostgreSQL JDBC URI and an S3 warehouse, or a REST catalog. Close it when done: it owns
 * the catalog's connection pool and FileIO, and tables loaded from it stop working after {@link
 * #close()}.
 */
public final class Warehouse implements AutoCloseable {
  /**
   * The catalog name. Also the {@code catalog_name} column of the JDBC catalog's tables, so other
   * engines (Trino, Spark) must use the same name to see the tables.
   */
  public static final String CATALOG_NAME = "lakemesh";

  /**
   * Table properties every table gets unless the caller overrides them, tuned for small, frequent
   * streaming commits.
   */
  public static final Map<String, String> STREAMING_TABLE_DEFAULTS =
      Map.of(
          // v2 rather than the newest format: the version every engine we serve (Trino, Spark,
          // DuckDB) reads.
          TableProperties.FORMAT_VERSION, "2",
          TableProperties.DEFAULT_FILE_FORMAT, "parquet",
          TableProperties.PARQUET_COMPRESSION, "zstd",
          // level 1: most of zstd's ratio at a fraction of level 3's CPU, which streaming ingest is short of
          TableProperties.PARQUET_COMPRESSION_LEVEL, "1",
          // Parquet allocates a page-sized buffer for every file it writes (its compressor's output), and a
          // micro-batch writes one file per partition: at the default 1 MB that was a tenth of all allocation
          TableProperties.PARQUET_PAGE_SIZE_BYTES, Integer.toString(256 * 1024),
          // Several stages commit to one table concurrently (an ingest stage and compaction, or
          // two shards after a rebalance); optimistic commits must retry well past the default 4.
          TableProperties.COMMIT_NUM_RETRIES, "20",
          // A commit every few seconds writes a metadata.json each time; without this the metadata
          // folder grows without bound.
          TableProperties.METADATA_DELETE_AFTER_COMMIT_ENABLED, "true",
          TableProperties.METADATA_PREVIOUS_VERSIONS_MAX, "50");

  private final Catalog catalog;
  /** The properties the catalog was built from, so {@link #forReading()} can build another like it. */
  private final Map<String, String> properties;

  private Warehouse(Map<String, String> properties) {
    this.properties = Map.copyOf(properties);
    // The Hadoop configuration only matters when the FileIO is HadoopFileIO (hdfs:, s3a:).
    this.catalog = CatalogUtil.buildIcebergCatalog(CATALOG_NAME, this.properties,
        new org.apache.hadoop.conf.Configuration());
  }

  /**
   * Another catalog on the same tables, with connections of its own, for reads that answer requests: a commit that
   * waits for the catalog's lock (another process writing to it, many pipelines committing at once) holds one of
   * the writing catalog's few connections, and reads that shared them waited behind it. Close it as any warehouse.
   */
  public Warehouse forReading() {
    return new Warehouse(properties);
  }

  /**
   * Opens (creating on first use) the embedded warehouse under {@code home}: catalog {@code
   * home/catalog.db} (SQLite), data and metadata under {@code home/warehouse}, written through
   * {@link LocalFileIO}.
   */
  public static Warehouse openLocal(Path home) {
    Path root = home.toAbsolutePath().normalize();
    Path warehouse = root.resolve("warehouse");
    try {
      Files.createDirectories(warehouse);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create the warehouse directory " + warehouse, e);
    }
    Map<String, String> props = new HashMap<>();
    props.put(CatalogProperties.URI, "jdbc:sqlite:" + root.resolve("catalog.db"));
    // Hadoop's location form (file:/abs/path): readers that go through Hadoop see the same paths.
    props.put(CatalogProperties.WAREHOUSE_LOCATION, "file:" + warehouse);
    props.put(CatalogProperties.FILE_IO_IMPL, LocalFileIO.class.getName());
    return open(props); // which sets SQLite's lock wait and WAL, as for any SQLite catalog
  }

  /**
   * Opens a catalog from Iceberg catalog properties. Without {@code type} or {@code catalog-impl}
   * it is a {@code JdbcCatalog} (schema version V1, which views need); without {@code io-impl} and
   * with a local warehouse it writes through {@link LocalFileIO}.
   */
  public static Warehouse open(Map<String, String> catalogProperties) {
    Map<String, String> props = new HashMap<>(catalogProperties);
    String type = CatalogUtil.ICEBERG_CATALOG_TYPE;
    boolean jdbc =
        !props.containsKey(CatalogProperties.CATALOG_IMPL)
            && props.getOrDefault(type, "jdbc").equals(CatalogUtil.ICEBERG_CATALOG_TYPE_JDBC);
    if (jdbc) {
      props.putIfAbsent(type, CatalogUtil.ICEBERG_CATALOG_TYPE_JDBC);
      props.putIfAbsent("jdbc.schema-version", "V1");
      if (!props.containsKey(CatalogProperties.URI)) {
        throw new IllegalArgumentException(
            "A JDBC catalog needs '" + CatalogProperties.URI + "' (e.g. jdbc:postgresql://...)");
      }
      if (props.get(CatalogProperties.URI).startsWith("jdbc:sqlite:")) {
        // another process on the same file (a CLI next to the server, other nodes, a tool's write transaction)
        // waits for the lock rather than failing with SQLITE_BUSY, for two minutes: a commit stalls meanwhile and
        // its pipeline keeps running; WAL lets readers run during a commit
        props.putIfAbsent("jdbc.busy_timeout", "120000");
        props.putIfAbsent("jdbc.journal_mode", "WAL");
      }
    }
    String warehouse = props.get(CatalogProperties.WAREHOUSE_LOCATION);
    if (warehouse != null && isLocal(warehouse)) {
      props.putIfAbsent(CatalogProperties.FILE_IO_IMPL, LocalFileIO.class.getName());
    }
    return new Warehouse(props);
  }

  public Catalog catalog() {
    return catalog;
  }

  /**
   * Returns the table, creating it (and its namespace) if it does not exist.
   *
   * <p>Idempotent and safe when callers race, in this process or another: whoever loses the race
   * to create loads the winner's table. An existing table is returned as it is; its schema, spec
   * and properties are not compared or changed here (evolution is the contract layer's job).
   *
   * @param properties table properties; they override {@link #STREAMING_TABLE_DEFAULTS}
   */
  public Table createOrLoad(
      TableIdentifier id, Schema schema, PartitionSpec spec, Map<String, String> properties) {
    try {
      return catalog.loadTable(id);
    } catch (NoSuchTableException absent) {
      // Fall through and create it.
    }
    ensureNamespace(id.namespace());
    Map<String, String> tableProperties = new HashMap<>(STREAMING_TABLE_DEFAULTS);
    tableProperties.putAll(properties);
    try {
      return catalog
          .buildTable(id, schema)
          .withPartitionSpec(spec)
          .withProperties(tableProperties)
          .create();
    } catch (AlreadyExistsException raced) {
      return catalog.loadTable(id);
    }
  }

  private void ensureNamespace(Namespace namespace) {
    if (namespace.isEmpty() || !(catalog instanceof SupportsNamespaces namespaces)) {
      return;
    }
    if (namespaces.namespaceExists(namespace)) {
      return;
    }
    try {
      namespaces.createNamespace(namespace);
    } catch (RuntimeException e) {
      // A racing creator makes this fail in catalog-specific ways (AlreadyExists, or a raw
      // constraint violation from the JDBC catalog); only an absent namespace is a real failure.
      if (!namespaces.namespaceExists(namespace)) {
        throw new IllegalStateException("Cannot create namespace " + namespace, e);
      }
    }
  }

  @Override
  public void close() {
    if (catalog instanceof Closeable closeable) {
      try {
        closeable.close();
      } catch (IOException e) {
        throw new UncheckedIOException("Failed to close catalog " + catalog.name(), e);
      }
    }
  }

  private static boolean isLocal(String location) {
    return location.startsWith("file:") || location.startsWith("/");
  }
}
