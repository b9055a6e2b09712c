package io.lakemesh.runtime.cluster;

import io.lakemesh.runtime.storage.Warehouse;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.exceptions.AlreadyExistsException;
import org.apache.iceberg.exceptions.NoSuchNamespaceException;

/**
 * A lease in the shared catalog that says which cluster works on its tables: the cluster's leader renews it every
 * few seconds. A node about to form a new cluster (no seed nodes) first reads it and refuses when another cluster
 * renewed it lately: two clusters on one catalog would run the same Kafka partitions twice and commit the same
 * events twice (a restarted first node without {@code --seed-nodes} did exactly that).
 *
 * <p>Kept as a property of the catalog namespace {@code lakemesh} ({@code lakemesh.cluster.lease =
 * "<leader address> <epoch millis>"}), so every catalog Lakemesh supports holds it without another service.
 */
public final class ClusterLease {
  static final Namespace NAMESPACE = Namespace.of("lakemesh");
  static final String KEY = "lakemesh.cluster.lease";
  /** How often the leader renews the lease. */
  static final Duration RENEW = Duration.ofSeconds(5);
  /** A lease not renewed for this long belongs to a cluster that is gone. */
  static final Duration TTL = Duration.ofSeconds(20);

  private final Warehouse warehouse;
  private final Clock clock;

  ClusterLease(Warehouse warehouse, Clock clock) {
    this.warehouse = warehouse;
    this.clock = clock;
  }

  static ClusterLease in(Warehouse warehouse) {
    return new ClusterLease(warehouse, Clock.systemUTC());
  }

  /**
   * Whether no leader renewed the lease within {@link #TTL} (or there is none): only then is no cluster working on
   * this catalog, whoever held it last (a leader that died a moment ago may have a successor about to renew it).
   */
  boolean lapsed() {
    Optional<String> lease = read();
    if (lease.isEmpty()) {
      return true;
    }
    String[] parts = lease.get().split(" ", 2);
    try {
      return parts.length != 2 || clock.millis() - Long.parseLong(parts[1]) >= TTL.toMillis();
    } catch (NumberFormatException e) {
      return true; // unreadable: not ours to judge
    }
  }

  /** The holder of a live lease that is not {@code self}, if any: the cluster a forming node would clash with. */
  Optional<String> otherHolder(String self) {
    Optional<String> lease = read();
    if (lease.isEmpty()) {
      return Optional.empty();
    }
    String[] parts = lease.get().split(" ", 2);
    if (parts.length != 2) {
      return Optional.empty(); // unreadable: not ours to judge
    }
    long renewed;
    try {
      renewed = Long.parseLong(parts[1]);
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
    boolean recent = clock.millis() - renewed < TTL.toMillis();
    // our own address: an earlier run of this very node (it cannot be running: we hold its port); a holder whose
    // port answers nothing was killed a moment ago (its lease has not expired yet) and clashes with nobody
    return recent && !parts[0].equals(self) && listening(parts[0]) ? Optional.of(parts[0]) : Optional.empty();
  }

  /** Whether something accepts connections at a {@code pekko://system@host:port} address. */
  static boolean listening(String address) {
    int at = address.lastIndexOf('@');
    int colon = address.lastIndexOf(':');
    if (at < 0 || colon < at) {
      return true; // cannot tell: assume the worst
    }
    try (java.net.Socket socket = new java.net.Socket()) {
      socket.connect(new java.net.InetSocketAddress(address.substring(at + 1, colon),
          Integer.parseInt(address.substring(colon + 1))), 1_000);
      return true;
    } catch (java.io.IOException | IllegalArgumentException e) {
      return false;
    }
  }

  /** Renews the lease for {@code leader}. */
  void renew(String leader) {
    SupportsNamespaces namespaces = namespaces();
    if (!namespaces.namespaceExists(NAMESPACE)) {
      try {
        namespaces.createNamespace(NAMESPACE, Map.of());
      } catch (AlreadyExistsException raced) {
        // another node created it meanwhile
      }
    }
    namespaces.setProperties(NAMESPACE, Map.of(KEY, leader + " " + clock.millis()));
  }

  private Optional<String> read() {
    try {
      return Optional.ofNullable(namespaces().loadNamespaceMetadata(NAMESPACE).get(KEY));
    } catch (NoSuchNamespaceException e) {
      return Optional.empty();
    }
  }

  private SupportsNamespaces namespaces() {
    if (!(warehouse.catalog() instanceof SupportsNamespaces namespaces)) {
      throw new IllegalStateException("the catalog " + warehouse.catalog().name() + " has no namespaces");
    }
    return namespaces;
  }
}
