package io.lakemesh.contracts.evolution;

import java.util.Locale;

/** What changed between two versions of a contract. Whether a change breaks consumers is on {@link Change}. */
public enum ChangeKind {
  /** The product id changed: the proposed contract is another product, whatever its version. */
  PRODUCT_ID_CHANGED,
  /** The owning domain changed: the proposed contract is another product, whatever its version. */
  DOMAIN_CHANGED,
  /** The document's own id changed while the product it names stayed (a UUID id: products are domain.object). */
  CONTRACT_ID_CHANGED,
  VERSION_CHANGED,
  STATUS_CHANGED,
  STAGE_CHANGED,
  UPSTREAM_CHANGED,
  TRANSFORM_CHANGED,
  KAFKA_PARTITIONS_CHANGED,
  FIELD_ADDED,
  FIELD_REMOVED,
  /** An Iceberg type promotion: int to long, float to double, or a wider decimal of the same scale. */
  TYPE_PROMOTED,
  TYPE_CHANGED,
  MADE_OPTIONAL,
  MADE_REQUIRED,
  CONSTRAINT_WIDENED,
  CONSTRAINT_NARROWED,
  ENUM_WIDENED,
  ENUM_NARROWED,
  PRIMARY_KEY_CHANGED,
  /** The first primary-key column (or its type) of a source product: no major version may change it. */
  ROUTING_CHANGED,
  PARTITIONING_CHANGED,
  /**
   * The schema object's {@code name} or {@code physicalName} changes while the product id stays: tables are named by
   * the product id, so nothing stored moves.
   */
  OBJECT_RENAMED,
  DESCRIPTION_CHANGED,
  TAGS_CHANGED,
  /** Anything else of the document: relationships, physical names, servers, team, support, examples, … */
  DOCUMENTATION_CHANGED,
  CLASSIFICATION_CHANGED,
  RULE_ADDED,
  RULE_REMOVED,
  RULE_CHANGED,
  /** A role is added: its holders gain access (breaking). */
  ROLE_ADDED,
  /** A role is removed: its holders lose access (compatible). */
  ROLE_REMOVED,
  /** A role's actions change: breaking when it gains one. */
  ROLE_ACCESS_CHANGED,
  /** A role's row filter is added (compatible), removed or changed (breaking: it may show more rows). */
  ROW_FILTER_CHANGED,
  /** A role's mask of a classification, or the mask a column gets, changes: breaking unless it discloses less. */
  MASK_CHANGED,
  SLA_CHANGED;

  /**
   * True when a change of this kind makes the proposed contract a different product: a new major version does not
   * make it deployable beside the running one.
   */
  public boolean changesProductIdentity() {
    return this == PRODUCT_ID_CHANGED || this == DOMAIN_CHANGED;
  }

  /**
   * True when a change of this kind changes how the raw topic routes events (its first primary-key column, its
   * partition count): every major version reads that one topic, so not even a new major can make it.
   */
  public boolean changesRouting() {
    return this == ROUTING_CHANGED || this == KAFKA_PARTITIONS_CHANGED;
  }

  /** Lower-case words, e.g. {@code field added}. */
  public String label() {
    return name().toLowerCase(Locale.ROOT).replace('_', ' ');
  }
}
