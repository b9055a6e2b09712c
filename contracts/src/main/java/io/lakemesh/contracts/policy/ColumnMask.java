package io.lakemesh.contracts.policy;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How a column's values are shown to a role that may read the row but not the value in clear. A null value stays
 * null under every mask (there is nothing to hide). Masks other than {@link Nullify} turn values of any type into
 * strings.
 *
 * <p>Masks are ordered by how much they disclose, from most to least: {@link LastN} (a larger N discloses more),
 * {@link Hash} (equality only: joins and distinct counts still work), {@link Redact} (only that a value exists),
 * {@link Nullify} (nothing). A caller holding several roles gets the least masking of them, see {@link
 * #leastMasking(ColumnMask, ColumnMask)}.
 */
public sealed interface ColumnMask
    permits ColumnMask.LastN, ColumnMask.Hash, ColumnMask.Redact, ColumnMask.Nullify {

  /** The text that replaces a redacted value. */
  String REDACTED = "***";

  /** Orders masks from the most disclosing to the least disclosing. */
  Comparator<ColumnMask> MOST_DISCLOSING_FIRST = Comparator.comparingInt(ColumnMask::rank)
      .thenComparing(m -> m instanceof LastN l ? -l.n() : 0);

  /** The masked form of a value. */
  Object apply(Object value);

  /** The mask as contracts name it: {@code hash}, {@code redact}, {@code last-4}, {@code null}. */
  String name();

  /** Of two masks, the one that discloses more (the union of what two roles may see). */
  static ColumnMask leastMasking(ColumnMask a, ColumnMask b) {
    return MOST_DISCLOSING_FIRST.compare(a, b) <= 0 ? a : b;
  }

  /**
   * The mask a contract names: {@code hash}, {@code redact}, {@code null}, or {@code last-N} / {@code lastN} with N
   * ≥ 1 (e.g. {@code last-4}). Case does not matter. Hash masks are salted with {@code hashSalt}.
   */
  static Optional<ColumnMask> parse(String name, byte[] hashSalt) {
    if (name == null) {
      return Optional.empty();
    }
    String n = name.trim().toLowerCase(Locale.ROOT);
    switch (n) {
      case "hash":
        return Optional.of(new Hash(hashSalt));
      case "redact":
        return Optional.of(new Redact());
      case "null":
        return Optional.of(new Nullify());
      default:
        Matcher m = LastN.NAME.matcher(n);
        if (!m.matches() || m.group(1).length() > 6 || Integer.parseInt(m.group(1)) < 1) {
          return Optional.empty();
        }
        return Optional.of(new LastN(Integer.parseInt(m.group(1))));
    }
  }

  private int rank() {
    if (this instanceof LastN) {
      return 0;
    }
    if (this instanceof Hash) {
      return 1;
    }
    return this instanceof Redact ? 2 : 3;
  }

  private static String text(Object value) {
    return value instanceof BigDecimal d ? d.toPlainString() : value.toString();
  }

  /**
   * Keeps the last {@code n} characters and replaces each one before them with {@code *}, so the length shows. A
   * value of {@code n} characters or fewer is replaced entirely: keeping it would disclose all of it.
   */
  record LastN(int n) implements ColumnMask {
    private static final Pattern NAME = Pattern.compile("last-?([0-9]+)");

    public LastN {
      if (n < 1) {
        throw new IllegalArgumentException("last-N needs N >= 1, got " + n);
      }
    }

    @Override
    public Object apply(Object value) {
      if (value == null) {
        return null;
      }
      String s = text(value);
      int length = s.codePointCount(0, s.length());
      if (length <= n) {
        return "*".repeat(length);
      }
      int keepFrom = s.offsetByCodePoints(0, length - n);
      return "*".repeat(length - n) + s.substring(keepFrom);
    }

    @Override
    public String name() {
      return "last-" + n;
    }
  }

  /**
   * Replaces a value with the lower-case hex SHA-256 of the salt followed by the value's UTF-8 text. The salt is a
   * per-deployment secret, so hashes agree across nodes and restarts (joins and distinct counts still work) but
   * cannot be recomputed from guessed values by someone without it.
   */
  final class Hash implements ColumnMask {
    private final byte[] salt;
    private final MessageDigest salted;

    Hash(byte[] salt) {
      this.salt = salt == null ? new byte[0] : salt.clone();
      try {
        this.salted = MessageDigest.getInstance("SHA-256");
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("every Java runtime has SHA-256", e);
      }
      salted.update(this.salt);
    }

    @Override
    public Object apply(Object value) {
      if (value == null) {
        return null;
      }
      MessageDigest digest;
      try {
        // the salted prototype is never updated after construction: cloning it is safe from any thread
        digest = (MessageDigest) salted.clone();
      } catch (CloneNotSupportedException e) {
        throw new IllegalStateException("SHA-256 digests can be cloned", e);
      }
      return HexFormat.of().formatHex(digest.digest(text(value).getBytes(StandardCharsets.UTF_8)));
    }

    @Override
    public String name() {
      return "hash";
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Hash h && MessageDigest.isEqual(salt, h.salt);
    }

    @Override
    public int hashCode() {
      return Hash.class.hashCode();
    }

    /** The name only: the salt is a secret. */
    @Override
    public String toString() {
      return name();
    }
  }

  /** Replaces a value with {@value #REDACTED}. */
  record Redact() implements ColumnMask {
    @Override
    public Object apply(Object value) {
      return value == null ? null : REDACTED;
    }

    @Override
    public String name() {
      return "redact";
    }
  }

  /** Replaces a value with null. */
  record Nullify() implements ColumnMask {
    @Override
    public Object apply(Object value) {
      return null;
    }

    @Override
    public String name() {
      return "null";
    }
  }
}
