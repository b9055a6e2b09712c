package io.lakemesh.runtime.security.apikeys;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.lakemesh.runtime.security.Principal;
import io.lakemesh.runtime.security.UnauthenticatedException;
import io.lakemesh.runtime.storage.TableReader;
import io.lakemesh.runtime.storage.TableWriter;
import io.lakemesh.runtime.storage.Warehouse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.types.Types;

/**
 * API keys for service accounts (tills, ETL jobs): created and revoked by admins, shown once at creation, stored
 * only as a salted SHA-256 hash of their secret in the Iceberg table {@code lakemesh.api_keys} (an append-only
 * log of created and revoked events, so every node of a cluster sees the same keys). A key authenticates as
 * {@code Authorization: ApiKey lmk_<id>_<secret>} or {@code X-API-Key: lmk_<id>_<secret>}; it carries the roles
 * and claims it was created with.
 */
public final class ApiKeys {
  /** How an API key's caller is named (in the audit trail among others): {@code apikey:<id>}. */
  public static final String SUBJECT_PREFIX = "apikey:";
  private static final String PREFIX = "lmk_";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final SecureRandom RANDOM = new SecureRandom();
  static final Schema SCHEMA = new Schema(
      Types.NestedField.required(1, "event", Types.StringType.get(), "created or revoked"),
      Types.NestedField.required(2, "key_id", Types.StringType.get()),
      Types.NestedField.optional(3, "name", Types.StringType.get()),
      Types.NestedField.optional(4, "roles", Types.ListType.ofRequired(8, Types.StringType.get())),
      Types.NestedField.optional(5, "claims_json", Types.StringType.get()),
      Types.NestedField.optional(6, "salt", Types.StringType.get()),
      Types.NestedField.optional(7, "secret_hash", Types.StringType.get()),
      Types.NestedField.required(9, "at", Types.TimestampType.withZone()),
      Types.NestedField.required(10, "by", Types.StringType.get()));

  /** A key as listed to admins: never its secret or hash. */
  public record KeyInfo(String id, String name, List<String> roles, Map<String, Object> claims, Instant created,
      String createdBy, Instant revoked) {}

  /** A new key: the only time its full value is shown. */
  public record CreatedKey(KeyInfo info, String key) {}

  private record Stored(KeyInfo info, String salt, String hash) {}

  private final Table table;
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ApiKeys.class);

  private volatile Map<String, Stored> keys = Map.of();
  private Long loadedSnapshot;

  private ApiKeys(Table table) {
    this.table = table;
  }

  public static ApiKeys open(Warehouse warehouse) {
    Table table = warehouse.createOrLoad(TableIdentifier.of(Namespace.of("lakemesh"), "api_keys"), SCHEMA,
        PartitionSpec.unpartitioned(), Map.of("lakemesh.stage", "security"));
    ApiKeys keys = new ApiKeys(table);
    keys.reload();
    return keys;
  }

  public synchronized CreatedKey create(String name, List<String> roles, Map<String, Object> claims, String by) {
    String id = HexFormat.of().formatHex(random(6));
    String secret = Base64.getUrlEncoder().withoutPadding().encodeToString(random(32));
    String salt = Base64.getEncoder().encodeToString(random(16));
    // as the table stores it (microseconds): the answer to the create and every later listing show one instant
    Instant now = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MICROS);
    GenericRecord r = GenericRecord.create(table.schema());
    r.setField("event", "created");
    r.setField("key_id", id);
    r.setField("name", name);
    r.setField("roles", List.copyOf(roles));
    r.setField("claims_json", write(claims));
    r.setField("salt", salt);
    r.setField("secret_hash", hash(salt, secret));
    r.setField("at", OffsetDateTime.ofInstant(now, ZoneOffset.UTC));
    r.setField("by", by);
    append(r);
    return new CreatedKey(new KeyInfo(id, name, List.copyOf(roles), claims, now, by, null),
        PREFIX + id + "_" + secret);
  }

  /** Revokes a key; false when no such key exists. Revoking twice is harmless. */
  public synchronized boolean revoke(String id, String by) {
    reload();
    if (!keys.containsKey(id)) {
      return false;
    }
    GenericRecord r = GenericRecord.create(table.schema());
    r.setField("event", "revoked");
    r.setField("key_id", id);
    r.setField("at", OffsetDateTime.now(ZoneOffset.UTC));
    r.setField("by", by);
    append(r);
    return true;
  }

  public synchronized List<KeyInfo> list() {
    reload();
    return keys.values().stream().map(Stored::info).toList();
  }

  /** The caller an API key stands for; refused (without saying why) when unknown, revoked or wrong. */
  public Principal verify(String key) throws UnauthenticatedException {
    if (key == null || !key.startsWith(PREFIX)) {
      throw new UnauthenticatedException("not an API key");
    }
    String rest = key.substring(PREFIX.length());
    int sep = rest.indexOf('_');
    if (sep <= 0) {
      throw new UnauthenticatedException("malformed API key");
    }
    String id = rest.substring(0, sep);
    String secret = rest.substring(sep + 1);
    // the keys as last read: the node reads the table again every second (refresh), so a key created or revoked on
    // another node holds here within a second; a request never waits for the catalog, whatever id it sends
    Stored stored = keys.get(id);
    if (stored == null || stored.info().revoked() != null) {
      throw new UnauthenticatedException("unknown or revoked API key " + id);
    }
    byte[] expected = HexFormat.of().parseHex(stored.hash());
    byte[] actual = HexFormat.of().parseHex(hash(stored.salt(), secret));
    if (!MessageDigest.isEqual(expected, actual)) {
      throw new UnauthenticatedException("wrong secret for API key " + id);
    }
    KeyInfo info = stored.info();
    Map<String, Object> claims = new LinkedHashMap<>(info.claims());
    claims.put("sub", SUBJECT_PREFIX + info.id());
    return new Principal(SUBJECT_PREFIX + info.id(), Set.copyOf(info.roles()), claims, info.roles().contains("admin"),
        new Principal.Credential.ApiKey(info.id()));
  }

  /** Whether key {@code id} exists and is not revoked, as last read (see {@link #refresh}). */
  public boolean active(String id) {
    Stored stored = keys.get(id);
    return stored != null && stored.info().revoked() == null;
  }

  private void append(Record r) {
    TableWriter.append(table, TableWriter.write(table, List.of(r)), Map.of());
    reload();
  }

  /**
   * Reads the table again if another node changed it; the node calls it every second, off the request threads. A
   * failure (the catalog unreachable) keeps the keys last read and is logged.
   */
  public synchronized void refresh() {
    try {
      reload();
    } catch (RuntimeException e) {
      LOG.warn("API keys not re-read (the keys last read stay in force): {}", e.toString());
    }
  }

  private synchronized void reload() {
    table.refresh();
    Long current = table.currentSnapshot() == null ? null : table.currentSnapshot().snapshotId();
    if (current == null || current.equals(loadedSnapshot)) {
      return;
    }
    Map<String, Stored> created = new LinkedHashMap<>();
    Map<String, Instant> revoked = new LinkedHashMap<>();
    try (CloseableIterable<Record> rows = TableReader.read(table)) {
      for (Record r : rows) {
        String id = (String) r.getField("key_id");
        Instant at = ((OffsetDateTime) r.getField("at")).toInstant();
        if ("revoked".equals(r.getField("event"))) {
          revoked.merge(id, at, (a, b) -> a.isBefore(b) ? a : b);
        } else {
          @SuppressWarnings("unchecked")
          List<String> roles = r.getField("roles") == null ? List.of() : (List<String>) r.getField("roles");
          created.put(id, new Stored(new KeyInfo(id, (String) r.getField("name"), List.copyOf(roles),
              read((String) r.getField("claims_json")), at, (String) r.getField("by"), null),
              (String) r.getField("salt"), (String) r.getField("secret_hash")));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Map<String, Stored> merged = new LinkedHashMap<>();
    created.forEach((id, s) -> merged.put(id, revoked.containsKey(id)
        ? new Stored(new KeyInfo(id, s.info().name(), s.info().roles(), s.info().claims(), s.info().created(),
            s.info().createdBy(), revoked.get(id)), s.salt(), s.hash())
        : s));
    keys = merged;
    loadedSnapshot = current;
  }

  private static String hash(String salt, String secret) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(Base64.getDecoder().decode(salt));
      return HexFormat.of().formatHex(sha.digest(secret.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JVM lacks SHA-256", e);
    }
  }

  private static byte[] random(int n) {
    byte[] b = new byte[n];
    RANDOM.nextBytes(b);
    return b;
  }

  private static String write(Map<String, Object> claims) {
    try {
      return JSON.writeValueAsString(claims == null ? Map.of() : claims);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> read(String json) {
    if (json == null || json.isBlank()) {
      return Map.of();
    }
    try {
      return JSON.readValue(json, Map.class);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** For admins' lists: an id is safe to show; a key's full value never is. */
  public static Optional<String> idOf(String key) {
    if (key == null || !key.startsWith(PREFIX)) {
      return Optional.empty();
    }
    String rest = key.substring(PREFIX.length());
    int sep = rest.indexOf('_');
    return sep <= 0 ? Optional.empty() : Optional.of(rest.substring(0, sep));
  }
}
