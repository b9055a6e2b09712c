package io.lakemesh.runtime.pipeline;

/**
 * A critical batch-level quality rule failed: the stage stops without committing the batch and stays halted (an
 * alert state) until an operator resumes it, instead of retrying the same bad batch forever.
 */
public final class QualityGateException extends RuntimeException {
  private final String rule;
  private final String measure;

  /** @param measure what the rule measured against its threshold, as a sentence */
  public QualityGateException(String productId, String rule, String measure) {
    super(productId + ": critical rule '" + rule + "' failed: " + measure + "; the batch was not committed");
    this.rule = rule;
    this.measure = measure;
  }

  public String rule() {
    return rule;
  }

  public String measure() {
    return measure;
  }
}
