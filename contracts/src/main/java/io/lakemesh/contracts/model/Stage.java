package io.lakemesh.contracts.model;

import java.util.Locale;
import java.util.Optional;

/**
 * The medallion stage a product serves. A {@code SOURCE} product is source-aligned: raw events land in bronze and
 * typed, validated rows in silver. {@code GOLD} products derive from an upstream product.
 */
public enum Stage {
  SOURCE, GOLD;

  /** The values {@code lakemeshStage} may take, as a message lists them. */
  public static final String VALID = "source (also written silver or bronze), gold";

  public static Optional<Stage> of(String text) {
    if (text == null) {
      return Optional.empty();
    }
    return switch (text.toLowerCase(Locale.ROOT)) {
      case "source", "silver", "bronze" -> Optional.of(SOURCE);
      case "gold" -> Optional.of(GOLD);
      default -> Optional.empty();
    };
  }

  /** The Iceberg tables this stage keeps, in pipeline order. */
  public java.util.List<String> tables() {
    return switch (this) {
      case SOURCE -> java.util.List.of("bronze", "silver", "quarantine");
      case GOLD -> java.util.List.of("gold");
    };
  }

  public String odcsName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
