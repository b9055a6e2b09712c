package io.lakemesh.runtime.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.lakemesh.runtime.storage.Warehouse;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The catalog lease that keeps a second cluster from forming on tables another cluster works on. */
class ClusterLeaseTest {
  @TempDir
  Path home;

  @Test
  void aLiveLeaseOfAnotherListeningLeaderIsAClashNothingElseIs() throws Exception {
    Instant t0 = Instant.parse("2026-11-26T06:00:00Z");
    try (Warehouse warehouse = Warehouse.openLocal(home); ServerSocket leaderPort = new ServerSocket(0)) {
      String leader = "pekko://lakemesh@127.0.0.1:" + leaderPort.getLocalPort();
      String me = "pekko://lakemesh@127.0.0.1:1";
      assertEquals(Optional.empty(), lease(warehouse, t0).otherHolder(me), "no lease yet");

      lease(warehouse, t0).renew(leader);
      lease(warehouse, t0).renew(leader); // renewing again is fine
      assertEquals(Optional.of(leader), lease(warehouse, t0.plusSeconds(5)).otherHolder(me),
          "a cluster whose leader renewed 5 s ago and listens");
      assertEquals(Optional.empty(), lease(warehouse, t0.plusSeconds(5)).otherHolder(leader),
          "its own earlier run");
      assertEquals(Optional.empty(), lease(warehouse, t0.plus(ClusterLease.TTL).plusSeconds(1)).otherHolder(me),
          "a lease nobody renewed: the cluster is gone");
      leaderPort.close();
      assertEquals(Optional.empty(), lease(warehouse, t0.plusSeconds(5)).otherHolder(me),
          "a leader that was just killed: nothing listens at its address");
      // ...but its cluster may live on under a successor about to renew: the lease has not lapsed
      org.junit.jupiter.api.Assertions.assertFalse(lease(warehouse, t0.plusSeconds(5)).lapsed());
      org.junit.jupiter.api.Assertions.assertTrue(lease(warehouse, t0.plus(ClusterLease.TTL)).lapsed());
    }
  }

  private static ClusterLease lease(Warehouse warehouse, Instant now) {
    return new ClusterLease(warehouse, Clock.fixed(now, ZoneOffset.UTC));
  }

  @org.junit.jupiter.api.Test
  void aFirstSeedJoinsTheOthersFirstWhileAClusterMayLive() {
    String n1 = "pekko://lakemesh@127.0.0.1:25520";
    String n2 = "pekko://lakemesh@127.0.0.1:25521";
    String n3 = "pekko://lakemesh@127.0.0.1:25522";
    java.util.List<String> seeds = java.util.List.of(n1, n2);
    assertEquals(java.util.List.of(n3, n2, n1), MeshNode.seedsJoiningOthersFirst(seeds, n1, Optional.of(n3)),
        "the leader that is left (n3, no seed) comes first: the restarted n1 joins it");
    // a leader among the seeds comes first too: while the restarted first seed stays first, Pekko has it join itself
    // when the others answer later than seed-node-timeout (5 s; seen on a loaded machine: a second cluster)
    assertEquals(java.util.List.of(n2, n1), MeshNode.seedsJoiningOthersFirst(seeds, n1, Optional.of(n2)));
    // a lease that names no live leader but has not lapsed (n1's own previous run led): the other seeds first
    assertEquals(java.util.List.of(n2, n1), MeshNode.seedsJoiningOthersFirst(seeds, n1, Optional.empty()));
  }
}
