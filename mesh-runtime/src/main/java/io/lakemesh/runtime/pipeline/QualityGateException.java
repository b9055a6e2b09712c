package io.lakemesh.runtime.pipeline;

/**
 * A critical batch-level quality rule failed: the stage stops without committing the batch and stays halted (an
 * alert state) until an operator resumes it, instead of retrying the same bad batch forever.
 */
public final class QualityGateException extends RuntimeException {
  private final String rule;
  private final String measure;
  private final java.util.List<String> failedRules;

  /** @param measure what the rule measured against its threshold, as a sentence */
  public QualityGateException(String productId, String rule, String measure) {
    this(productId, rule, measure, java.util.List.of(rule));
  }

  /**
   * @param rule the first critical rule that failed, whose measure is given
   * @param failedRules every critical rule the batch failed, {@code rule} first
   */
  public QualityGateException(String productId, String rule, String measure, java.util.List<String> failedRules) {
    super(productId + ": critical rule '" + rule + "' failed: " + measure + (failedRules.size() > 1
        ? " (and critical rule(s) " + failedRules.subList(1, failedRules.size()) + ")" : "")
        + "; the batch was not committed");
    this.rule = rule;
    this.measure = measure;
    this.failedRules = java.util.List.copyOf(failedRules);
    this.committedBefore = null;
  }

  private QualityGateException(QualityGateException failure, SourceBatchCommitter.BatchResult committedBefore) {
    super(failure.getMessage(), failure);
    this.rule = failure.rule;
    this.measure = failure.measure;
    this.failedRules = failure.failedRules;
    this.committedBefore = committedBefore;
  }

  /** A batch committed just before this one failed (in the same call), to be reported as committed; or null. */
  private final SourceBatchCommitter.BatchResult committedBefore;

  /** This failure, after {@code committed} was committed in the same call: whoever reports commits reports it. */
  QualityGateException afterCommitting(SourceBatchCommitter.BatchResult committed) {
    return new QualityGateException(this, committed);
  }

  /** The batch committed in the same call before this failure, or null. */
  public SourceBatchCommitter.BatchResult committedBefore() {
    return committedBefore;
  }

  /** Every critical rule the batch failed. */
  public java.util.List<String> failedRules() {
    return failedRules;
  }

  public String rule() {
    return rule;
  }

  public String measure() {
    return measure;
  }
}
