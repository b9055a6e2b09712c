package io.lakemesh.contracts.validate;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * The {@code logicalTypeOptions.format} values of string properties that rows are checked against. Others are kept as
 * documentation (and {@code contract explain} says they are not checked).
 */
public final class StringFormats {
  private static final Pattern EMAIL = Pattern.compile("[^@\\s]+@[^@\\s.]+(\\.[^@\\s.]+)+");
  private static final Pattern UUID = Pattern.compile(
      "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
  private static final Pattern IPV4 = Pattern.compile(
      "((25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])");
  private static final Pattern HOSTNAME = Pattern.compile(
      "(?=.{1,253}$)([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)(\\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*");

  private static final Map<String, Predicate<String>> CHECKS = Map.of(
      "email", s -> EMAIL.matcher(s).matches(),
      "uuid", s -> UUID.matcher(s).matches(),
      "uri", StringFormats::isAbsoluteUri,
      "url", StringFormats::isAbsoluteUri,
      "ipv4", s -> IPV4.matcher(s).matches(),
      "hostname", s -> HOSTNAME.matcher(s).matches());

  private StringFormats() {}

  /** The check of a format, or empty for a format rows are not checked against. */
  public static Optional<Predicate<String>> check(String format) {
    return format == null ? Optional.empty() : Optional.ofNullable(CHECKS.get(format.toLowerCase(java.util.Locale.ROOT)));
  }

  /** The formats rows are checked against, sorted. */
  public static java.util.List<String> known() {
    return CHECKS.keySet().stream().sorted().toList();
  }

  private static boolean isAbsoluteUri(String s) {
    try {
      URI uri = new URI(s);
      return uri.getScheme() != null && !s.isBlank();
    } catch (URISyntaxException e) {
      return false;
    }
  }
}
