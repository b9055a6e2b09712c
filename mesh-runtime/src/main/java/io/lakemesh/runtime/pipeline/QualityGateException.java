package io.lakemesh.runtime.pipeline;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A critical batch-level quality rule failed: the stage stops without committing the batch and stays halted (an
 * alert state) until an operator resumes it, instead of retrying the same bad batch forever.
 */
public final class QualityGateException extends RuntimeException {
  /** Every critical rule the batch failed, in the order they failed, with what it measured. */
  private final Map<String, String> measures;
  /** A batch committed in the same call before this failure, to be reported as committed; or null. */
  private final SourceBatchCommitter.BatchResult committedBefore;

  /** @param measure what the rule measured against its threshold, as a sentence */
  public QualityGateException(String productId, String rule, String measure) {
    this(productId, java.util.Collections.singletonMap(rule, measure));
  }

  /** @param measures every critical rule the batch failed, with what it measured, the first first */
  public QualityGateException(String productId, Map<String, String> measures) {
    super(productId + ": critical rule '" + measures.keySet().iterator().next() + "' failed: "
        + measures.values().iterator().next() + (measures.size() > 1 ? " (and critical rule(s) "
        + List.copyOf(measures.keySet()).subList(1, measures.size()) + ")" : "")
        + "; the batch was not committed");
    this.measures = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(measures));
    this.committedBefore = null;
  }

  private QualityGateException(QualityGateException failure, SourceBatchCommitter.BatchResult committedBefore) {
    super(failure.getMessage(), failure);
    this.measures = failure.measures;
    this.committedBefore = committedBefore;
  }

  /** This failure, after {@code committed} was committed in the same call: whoever reports commits reports it. */
  QualityGateException afterCommitting(SourceBatchCommitter.BatchResult committed) {
    return new QualityGateException(this, committed);
  }

  /** The batch committed in the same call before this failure, or null. */
  public SourceBatchCommitter.BatchResult committedBefore() {
    return committedBefore;
  }

  /** What each failed critical rule measured, the first first. */
  public Map<String, String> measures() {
    return measures;
  }

  /** What a failed critical rule measured, or null when it did not fail. */
  public String measureOf(String failedRule) {
    return measures.get(failedRule);
  }

  /** Every critical rule the batch failed. */
  public List<String> failedRules() {
    return List.copyOf(measures.keySet());
  }

  /** The first critical rule that failed. */
  public String rule() {
    return measures.keySet().iterator().next();
  }

  /** What the first critical rule that failed measured. */
  public String measure() {
    return measures.get(rule());
  }
}
