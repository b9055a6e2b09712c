package io.lakemesh.contracts.evolution;

/** What deploying a proposed contract over the running one means. */
public enum Verdict {
  /** No breaking change: the product's tables evolve in place, without rewriting data. */
  COMPATIBLE("COMPATIBLE"),
  /** A breaking change on the same major version (or to another product id or domain): refused. */
  BREAKING("BREAKING"),
  /** A higher major version (breaking changes allowed): deployed side by side as a new version of the product. */
  NEW_MAJOR("NEW MAJOR");

  private final String label;

  Verdict(String label) {
    this.label = label;
  }

  /** The verdict as the CLI prints it. */
  public String label() {
    return label;
  }

  /** True when the proposed contract may be deployed (in place or side by side). */
  public boolean deployable() {
    return this != BREAKING;
  }
}
