package io.lakemesh.runtime.pipeline;

/**
 * A critical batch-level quality rule failed: the stage stops without committing the batch and stays halted (an
 * alert state) until an operator resumes it, instead of retrying the same bad batch forever.
 */
public final class QualityGateException extends RuntimeException {
  public QualityGateException(String message) {
    super(message);
  }
}
