package io.lakemesh.contracts;

/** One thing wrong with a contract: where (a JSON pointer into the document) and why. */
public record Problem(String path, String reason) {
  @Override
  public String toString() {
    return (path.isEmpty() ? "/" : path) + ": " + reason;
  }
}
