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
    this(productId, measuresOf(rule, measure, failedRules));
  }

  /** @param measures every critical rule the batch failed, with what it measured (if known), the first first */
  public QualityGateException(String productId, java.util.Map<String, String> measures) {
    super(productId + ": critical rule '" + measures.keySet().iterator().next() + "' failed: "
        + measures.values().iterator().next() + (measures.size() > 1 ? " (and critical rule(s) "
        + java.util.List.copyOf(measures.keySet()).subList(1, measures.size()) + ")" : "")
        + "; the batch was not committed");
    this.rule = measures.keySet().iterator().next();
    this.measure = measures.get(rule);
    this.failedRules = java.util.List.copyOf(measures.keySet());
    this.measures = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(measures));
    this.committedBefore = null;
  }

  private static java.util.Map<String, String> measuresOf(String rule, String measure,
      java.util.List<String> failedRules) {
    java.util.Map<String, String> measures = new java.util.LinkedHashMap<>();
    measures.put(rule, measure);
    failedRules.forEach(r -> measures.putIfAbsent(r, null));
    return measures;
  }

  /** What each failed critical rule measured, in the order they failed (a rule whose measure is unknown: null). */
  private final java.util.Map<String, String> measures;

  /** What a failed critical rule measured, or null when not known. */
  public String measureOf(String failedRule) {
    return measures.get(failedRule);
  }

  /** What each failed critical rule measured, the first first. */
  public java.util.Map<String, String> measures() {
    return measures;
  }

  private QualityGateException(QualityGateException failure, SourceBatchCommitter.BatchResult committedBefore) {
    super(failure.getMessage(), failure);
    this.rule = failure.rule;
    this.measure = failure.measure;
    this.failedRules = failure.failedRules;
    this.measures = failure.measures;
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
