package io.lakemesh.contracts.model;

/**
 * A quality rule with the JSON pointer of its entry in the contract document, e.g.
 * {@code /schema/0/quality/2} or {@code /schema/0/properties/1/quality/0}: problems about a rule point there.
 */
public record LocatedRule(String pointer, QualityRule rule) {

  /** The pointer of one key of the rule's entry, e.g. {@code /schema/0/quality/2/query}. */
  public String pointer(String key) {
    return pointer + "/" + key;
  }
}
