package io.lakemesh.contracts.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/**
 * The descriptive sections of an ODCS v3.1 contract that do not drive the pipeline: servers, support channels,
 * price, team, authoritative definitions, relationships, tags. Read from the validated document, so every section
 * the standard defines is available to tools (catalog pages, lineage) without being configured twice.
 */
public record ContractMetadata(
    String tenant,
    List<String> tags,
    List<Server> servers,
    List<SupportChannel> support,
    Price price,
    List<TeamMember> team,
    List<Definition> authoritativeDefinitions,
    List<Relationship> relationships,
    String contractCreatedTs) {

  /** Where the data lives, as the contract declares it (type-specific details stay in {@code details}). */
  public record Server(String server, String type, String environment, String description, JsonNode details) {}

  /** A support channel: chat, email, tickets, … */
  public record SupportChannel(String channel, String url, String tool, String scope, String description) {}

  /** The price of the product. */
  public record Price(BigDecimal amount, String currency, String unit) {}

  /** A member of the owning team. */
  public record TeamMember(String username, String name, String role, String dateIn, String dateOut) {}

  /** A link to a definition elsewhere (business glossary, documentation, …). */
  public record Definition(String type, String url, String description) {}

  /**
   * A relationship between properties: {@code from} is a property of this contract ({@code object.property}),
   * {@code to} may point into another contract.
   */
  public record Relationship(String type, List<String> from, List<String> to, String path) {}

  public static ContractMetadata of(JsonNode doc) {
    List<String> tags = texts(doc.path("tags"));
    List<Server> servers = new ArrayList<>();
    for (JsonNode s : doc.path("servers")) {
      servers.add(new Server(text(s, "server"), text(s, "type"), text(s, "environment"), text(s, "description"),
          s));
    }
    List<SupportChannel> support = new ArrayList<>();
    for (JsonNode s : doc.path("support")) {
      support.add(new SupportChannel(text(s, "channel"), text(s, "url"), text(s, "tool"), text(s, "scope"),
          text(s, "description")));
    }
    JsonNode p = doc.path("price");
    Price price = p.isObject() ? new Price(p.has("priceAmount") ? p.get("priceAmount").decimalValue() : null,
        text(p, "priceCurrency"), text(p, "priceUnit")) : null;
    List<TeamMember> team = new ArrayList<>();
    JsonNode members = doc.path("team").isArray() ? doc.path("team") : doc.path("team").path("members");
    for (JsonNode m : members) {
      team.add(new TeamMember(text(m, "username"), text(m, "name"), text(m, "role"), text(m, "dateIn"),
          text(m, "dateOut")));
    }
    List<Definition> definitions = new ArrayList<>();
    for (JsonNode d : doc.path("authoritativeDefinitions")) {
      definitions.add(new Definition(text(d, "type"), text(d, "url"), text(d, "description")));
    }
    List<Relationship> relationships = new ArrayList<>();
    JsonNode schema = doc.path("schema");
    for (int i = 0; i < schema.size(); i++) {
      JsonNode object = schema.get(i);
      String objectName = object.path("name").asText();
      JsonNode rels = object.path("relationships");
      for (int r = 0; r < rels.size(); r++) {
        JsonNode rel = rels.get(r);
        relationships.add(new Relationship(rel.path("type").asText("foreignKey"), refs(rel.path("from")),
            refs(rel.path("to")), "/schema/" + i + "/relationships/" + r));
      }
      collectPropertyRelationships(object.path("properties"), objectName, "/schema/" + i + "/properties",
          relationships);
    }
    return new ContractMetadata(text(doc, "tenant"), tags, servers, support, price, team, definitions,
        relationships, text(doc, "contractCreatedTs"));
  }

  private static void collectPropertyRelationships(JsonNode properties, String prefix, String path,
      List<Relationship> out) {
    for (int j = 0; j < properties.size(); j++) {
      JsonNode prop = properties.get(j);
      String name = prefix + "." + prop.path("name").asText();
      JsonNode rels = prop.path("relationships");
      for (int r = 0; r < rels.size(); r++) {
        JsonNode rel = rels.get(r);
        List<String> from = rel.has("from") ? refs(rel.path("from")) : List.of(name);
        out.add(new Relationship(rel.path("type").asText("foreignKey"), from, refs(rel.path("to")),
            path + "/" + j + "/relationships/" + r));
      }
      collectPropertyRelationships(prop.path("properties"), name, path + "/" + j + "/properties", out);
    }
  }

  private static List<String> refs(JsonNode node) {
    if (node.isArray()) {
      return texts(node);
    }
    return node.isMissingNode() || node.isNull() ? List.of() : List.of(node.asText());
  }

  private static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  private static String text(JsonNode node, String key) {
    JsonNode v = node.get(key);
    return v == null || v.isNull() ? null : v.asText();
  }
}
