package io.lakemesh.contracts.sla;

import java.time.Duration;

/**
 * The outcome of checking one service-level objective.
 *
 * @param property the SLA property checked, e.g. {@code freshness}
 * @param status met, breached, or not declared by the contract
 * @param objective the declared limit; null when not declared
 * @param observed what was measured (the age of the last commit, the latency)
 * @param sentence one line for people, e.g. "freshness breached: last commit 3m 5s ago, 2m 5s over the 1m objective"
 */
public record SlaVerdict(String property, Status status, Duration objective, Duration observed, String sentence) {

  public enum Status { MET, BREACHED, NOT_DECLARED }

  public boolean breached() {
    return status == Status.BREACHED;
  }

  /** Met, or nothing to meet. */
  public boolean ok() {
    return status != Status.BREACHED;
  }
}
