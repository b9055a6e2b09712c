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
    }
  }

  private static ClusterLease lease(Warehouse warehouse, Instant now) {
    return new ClusterLease(warehouse, Clock.fixed(now, ZoneOffset.UTC));
  }

  @org.junit.jupiter.api.Test
  void aFirstSeedJoinsTheLiveLeaderAndNeverItselfWhileALiveClusterHoldsTheLease() {
    java.util.List<String> seeds = java.util.List.of("pekko://lakemesh@127.0.0.1:25520", "pekko://lakemesh@127.0.0.1:25521");
    org.junit.jupiter.api.Assertions.assertEquals(java.util.List.of("pekko://lakemesh@127.0.0.1:25522",
            "pekko://lakemesh@127.0.0.1:25520", "pekko://lakemesh@127.0.0.1:25521"),
        MeshNode.seedsWithLiveLeader(seeds, java.util.Optional.of("pekko://lakemesh@127.0.0.1:25522")),
        "the leader that is left (n3) comes first: the restarted n1 joins it");
    // a leader among the seeds comes first too: while the restarted first seed stays first, Pekko has it join itself
    // when the others answer later than seed-node-timeout (5 s; seen on a loaded machine: a second cluster)
    org.junit.jupiter.api.Assertions.assertEquals(java.util.List.of("pekko://lakemesh@127.0.0.1:25521",
            "pekko://lakemesh@127.0.0.1:25520"),
        MeshNode.seedsWithLiveLeader(seeds, java.util.Optional.of("pekko://lakemesh@127.0.0.1:25521")),
        "a restarted first seed is no longer first while a live cluster's leader is known: it never joins itself");
    org.junit.jupiter.api.Assertions.assertEquals(seeds, MeshNode.seedsWithLiveLeader(seeds, java.util.Optional.empty()));
  }
}
