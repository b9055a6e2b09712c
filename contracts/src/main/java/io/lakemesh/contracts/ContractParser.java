package io.lakemesh.contracts;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.InputFormat;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.PathType;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.lakemesh.contracts.model.Contract;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.ServiceLoader;
import java.util.Set;

/**
 * Reads ODCS v3.1 contracts (YAML or JSON). A document is checked against the official ODCS JSON Schema, then
 * against Lakemesh's semantic rules; every problem is reported with its JSON-pointer path.
 */
public final class ContractParser {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final JsonSchema ODCS_SCHEMA = loadSchema();
  /** Checks other modules contribute (the runtime binds SQL rules with DuckDB); loaded once. */
  private static final List<ContractCheck> EXTRA_CHECKS = ServiceLoader.load(ContractCheck.class,
      ContractParser.class.getClassLoader()).stream().map(ServiceLoader.Provider::get).toList();

  private ContractParser() {}

  public static Contract parse(Path file) throws InvalidContractException {
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw new InvalidContractException(file.toString(), List.of(new Problem("", "cannot read file: " + e)));
    }
    return parse(file.toString(), text);
  }

  /** Parses a contract; {@code source} names it in messages (a file name or resource). */
  public static Contract parse(String source, String text) throws InvalidContractException {
    JsonNode document;
    try {
      document = YAML.readTree(text);
    } catch (JsonProcessingException e) {
      String where = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr();
      throw new InvalidContractException(source, List.of(new Problem("", "not valid YAML" + where + ": "
          + e.getOriginalMessage())));
    }
    if (document == null || !document.isObject()) {
      throw new InvalidContractException(source, List.of(new Problem("", "a contract must be a YAML mapping")));
    }
    List<Problem> problems = new ArrayList<>(schemaProblems(document));
    ContractReader reader = new ContractReader(document);
    Contract contract = reader.read();
    problems.addAll(reader.problems());
    if (problems.isEmpty()) {
      problems.addAll(SemanticChecks.check(contract));
    }
    if (problems.isEmpty()) {
      for (ContractCheck check : EXTRA_CHECKS) {
        problems.addAll(check.problems(contract));
      }
    }
    if (!problems.isEmpty()) {
      problems.sort(Comparator.comparing(Problem::path));
      throw new InvalidContractException(source, dedupe(problems));
    }
    return contract;
  }

  private static List<Problem> schemaProblems(JsonNode document) {
    Set<ValidationMessage> messages = ODCS_SCHEMA.validate(document);
    List<Problem> problems = new ArrayList<>();
    for (ValidationMessage m : messages) {
      String path = m.getInstanceLocation().toString();
      String text = m.getMessage();
      // the library prefixes its messages with the instance path; keep only the reason
      int colon = text.indexOf(": ");
      String reason = colon >= 0 && text.startsWith(path) ? text.substring(colon + 2) : text;
      if ("required".equals(m.getType()) && m.getProperty() != null) {
        // point at the missing key itself, not at its parent
        path = path + "/" + m.getProperty();
      }
      problems.add(new Problem(path, reason + " (ODCS schema)"));
    }
    return problems;
  }

  private static List<Problem> dedupe(List<Problem> problems) {
    return problems.stream().distinct().toList();
  }

  private static JsonSchema loadSchema() {
    JsonSchemaFactory factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V201909);
    SchemaValidatorsConfig config = SchemaValidatorsConfig.builder().pathType(PathType.JSON_POINTER).build();
    try (InputStream in = ContractParser.class.getResourceAsStream("odcs-json-schema-v3.1.0.json")) {
      if (in == null) {
        throw new IllegalStateException("ODCS JSON Schema resource missing from the contracts jar");
      }
      return factory.getSchema(in, InputFormat.JSON, config);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
