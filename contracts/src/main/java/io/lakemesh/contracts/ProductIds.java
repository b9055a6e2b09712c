package io.lakemesh.contracts;

import com.fasterxml.jackson.databind.JsonNode;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The ids of the products one contract document yields, and their domain.
 *
 * <p>A contract whose {@code id} reads {@code <domain>.<name>} (lower case, its own domain) and that describes one
 * schema object is that product ({@code retail.transactions}). Any other contract (ODCS ids are often UUIDs, and a
 * contract may describe several tables) yields one product per schema object, named {@code <domain>.<object
 * name>}. The domain is the contract's {@code domain}, else the first part of a dotted id, else {@value
 * #DEFAULT_DOMAIN}. Names become what Kafka topics, Iceberg namespaces and tables, and URL path segments carry
 * (see {@link #normalize}).
 */
public record ProductIds(String domain, List<String> ids) {
  static final String DEFAULT_DOMAIN = "default";
  static final Pattern PRODUCT_ID = Pattern.compile("[a-z][a-z0-9_-]*\\.[a-z][a-z0-9_.-]*");

  static ProductIds of(JsonNode document) {
    String id = document.path("id").asText("");
    String declared = document.path("domain").asText("");
    int dot = id.indexOf('.');
    String domain = !declared.isBlank() ? normalize(declared)
        : dot > 0 ? normalize(id.substring(0, dot))
        : DEFAULT_DOMAIN;
    // the contract's own id names its product when it is <domain>.<name> of this domain and there is one object
    boolean productForm = PRODUCT_ID.matcher(id).matches() && id.startsWith(domain + ".");
    JsonNode schema = document.path("schema");
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < schema.size(); i++) {
      ids.add(schema.size() == 1 && productForm ? id
          : domain + "." + normalize(schema.get(i).path("name").asText("")));
    }
    return new ProductIds(domain, ids);
  }

  String productId(int object) {
    return ids.get(object);
  }

  /**
   * A name as topics, tables and URLs can carry it: accents dropped ({@code é} is {@code e}), lower case, each run of
   * characters outside {@code a-z 0-9 _ -} one {@code _}, no {@code _} at either end, and {@code p_} before a name
   * that does not start with a letter; a name with nothing left (another script) is {@code p_} and ten hex digits of
   * its SHA-256.
   */
  public static String normalize(String name) {
    String plain = Normalizer.normalize(name.strip(), Normalizer.Form.NFD).replaceAll("\\p{M}+", "");
    String n = plain.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_-]+", "_")
        .replaceAll("^_+|_+$", "");
    if (n.replace("_", "").isEmpty()) {
      // nothing left of a name in another script (売上): a short digest keeps different names apart
      return "p_" + java.util.HexFormat.of().formatHex(digest(name.strip())).substring(0, 10);
    }
    return !Character.isLetter(n.charAt(0)) ? "p_" + n : n;
  }

  private static byte[] digest(String name) {
    try {
      return java.security.MessageDigest.getInstance("SHA-256").digest(name.getBytes(
          java.nio.charset.StandardCharsets.UTF_8));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JVM lacks SHA-256", e);
    }
  }
}
