package io.lakemesh.contracts.cel;

/** A CEL expression that does not parse or does not type-check against the contract's schema. */
public final class InvalidExpressionException extends Exception {
  public InvalidExpressionException(String message) {
    super(message);
  }
}
