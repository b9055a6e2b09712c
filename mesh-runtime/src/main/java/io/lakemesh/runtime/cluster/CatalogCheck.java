package io.lakemesh.runtime.cluster;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a node on another catalog out of the cluster. Every node carries its catalog's fingerprint as a role
 * ({@code catalog-<hash>}); a node whose fingerprint differs from the oldest member's stops, instead of taking Kafka
 * partitions away from the cluster and committing them to tables nobody else reads.
 */
final class CatalogCheck {
  private static final Logger LOG = LoggerFactory.getLogger(CatalogCheck.class);
  private static final String PREFIX = "catalog-";
  private static final Duration EVERY = Duration.ofMillis(500);

  private final AtomicReference<String> problem = new AtomicReference<>();
  private volatile Cancellable schedule;

  private CatalogCheck() {}

  /** The role naming a catalog: a short fingerprint of its identity (URI and warehouse, or the local home). */
  static String role(String catalogIdentity) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(catalogIdentity.getBytes(StandardCharsets.UTF_8));
      return PREFIX + HexFormat.of().formatHex(digest, 0, 4);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("no SHA-256 in this JVM", e);
    }
  }

  /** Compares this node's catalog with the oldest member's twice a second, until they are found to differ. */
  static CatalogCheck start(ActorSystem<?> system, String catalogIdentity) {
    CatalogCheck check = new CatalogCheck();
    String mine = role(catalogIdentity);
    Cluster cluster = Cluster.get(system);
    check.schedule = system.scheduler().scheduleAtFixedRate(EVERY, EVERY, () -> {
      Member self = cluster.selfMember();
      if (check.problem.get() != null || self.status() != MemberStatus.up()) {
        return;
      }
      Member oldest = null;
      for (Member m : cluster.state().getMembers()) {
        if (m.status() == MemberStatus.up() && (oldest == null || m.isOlderThan(oldest))) {
          oldest = m;
        }
      }
      if (oldest == null || oldest.equals(self) || oldest.hasRole(mine)) {
        return;
      }
      String theirs = oldest.getRoles().stream().filter(r -> r.startsWith(PREFIX)).findFirst().orElse("none");
      check.problem.set("this node's catalog (" + catalogIdentity + ", " + mine + ") is not the one the cluster"
          + " works on (" + theirs + " on its oldest member " + oldest.address() + "): start every node with the same"
          + " --catalog and --warehouse");
      LOG.info("stopping: the catalog differs from the cluster's");
      check.schedule.cancel();
      CoordinatedShutdown.get(system).runAll(CoordinatedShutdown.unknownReason());
    }, system.executionContext());
    return check;
  }

  /** Whether two members carry the same catalog role (true when either carries none, or is unknown). */
  static boolean sameCatalog(Member a, Member b) {
    if (a == null || b == null) {
      return true;
    }
    Optional<String> ca = a.getRoles().stream().filter(r -> r.startsWith(PREFIX)).findFirst();
    Optional<String> cb = b.getRoles().stream().filter(r -> r.startsWith(PREFIX)).findFirst();
    return ca.isEmpty() || cb.isEmpty() || ca.equals(cb);
  }

  /** Why this node stopped itself, if it did. */
  Optional<String> problem() {
    return Optional.ofNullable(problem.get());
  }
}
