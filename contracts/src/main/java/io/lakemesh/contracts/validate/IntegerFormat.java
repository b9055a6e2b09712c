package io.lakemesh.contracts.validate;

import io.lakemesh.contracts.iceberg.IcebergMapping;
import io.lakemesh.contracts.model.Field;
import java.math.BigDecimal;

/**
 * The whole numbers an integer column takes: its storage type's range, narrowed by a {@code format} such as
 * {@code u8} or {@code i16}. The validator refuses values outside it, and the evolution gate compares it between
 * versions.
 */
public record IntegerFormat(BigDecimal min, BigDecimal max, String description) {
  private static final BigDecimal INT_MIN = BigDecimal.valueOf(Integer.MIN_VALUE);
  private static final BigDecimal INT_MAX = BigDecimal.valueOf(Integer.MAX_VALUE);
  private static final BigDecimal LONG_MIN = BigDecimal.valueOf(Long.MIN_VALUE);
  private static final BigDecimal LONG_MAX = BigDecimal.valueOf(Long.MAX_VALUE);

  /** The range of an integer property as the contract maps it (an int unless its format or physicalType widen it). */
  public static IntegerFormat of(Field f) {
    return of(f.options().format(), !IcebergMapping.isLong(f));
  }

  static IntegerFormat of(String format, boolean int32) {
    return switch (format == null ? "" : format) {
      case "i8" -> new IntegerFormat(BigDecimal.valueOf(Byte.MIN_VALUE), BigDecimal.valueOf(Byte.MAX_VALUE),
          "an 8-bit integer (format i8)");
      case "i16" -> new IntegerFormat(BigDecimal.valueOf(Short.MIN_VALUE), BigDecimal.valueOf(Short.MAX_VALUE),
          "a 16-bit integer (format i16)");
      case "u8" -> new IntegerFormat(BigDecimal.ZERO, BigDecimal.valueOf(255), "an unsigned 8-bit integer (format u8)");
      case "u16" -> new IntegerFormat(BigDecimal.ZERO, BigDecimal.valueOf(65_535),
          "an unsigned 16-bit integer (format u16)");
      case "u32" -> new IntegerFormat(BigDecimal.ZERO, BigDecimal.valueOf(4_294_967_295L),
          "an unsigned 32-bit integer (format u32)");
      case "u64" -> new IntegerFormat(BigDecimal.ZERO, LONG_MAX,
          "an unsigned integer up to 2^63-1 (format u64, stored as a signed 64-bit integer)");
      default -> int32 ? new IntegerFormat(INT_MIN, INT_MAX, "a 32-bit integer")
          : new IntegerFormat(LONG_MIN, LONG_MAX, "a 64-bit integer");
    };
  }

  /** The range as text: {@code 0..255}. */
  public String range() {
    return min.toPlainString() + ".." + max.toPlainString();
  }
}
