package io.lakemesh.contracts;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import io.lakemesh.contracts.model.Contract;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import java.util.ServiceLoader;
import java.util.Set;

/**
 * Reads ODCS v3.1 contracts (YAML or JSON). A document is checked against the official ODCS JSON Schema, then
 * against Lakemesh's semantic rules; every problem is reported with its JSON-pointer path.
 */
public final class ContractParser {
  // a key written twice is a mistake in a contract, not "the last one wins"; booleans are YAML 1.2's (see
  // YamlBooleanWords)
  private static final ObjectMapper YAML = new ObjectMapper(YAMLFactory.builder()
      .enable(YAMLParser.Feature.PARSE_BOOLEAN_LIKE_WORDS_AS_STRINGS)
      // the builder starts without this default of new YAMLFactory(): an empty value (description:) is null
      .enable(YAMLParser.Feature.EMPTY_STRING_AS_NULL).build())
      .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
  /** Jackson's "[Source: ...; line: 1, column: 7]", in messages about a place in the text. */
  /** Checks other modules contribute (the runtime binds SQL rules with DuckDB); loaded once. */
  private static final List<ContractCheck> EXTRA_CHECKS = ServiceLoader.load(ContractCheck.class,
      ContractParser.class.getClassLoader()).stream().map(ServiceLoader.Provider::get).toList();

  private ContractParser() {}

  /** The one product a contract file describes; see {@link #parse(String, String)}. */
  public static Contract parse(Path file) throws InvalidContractException {
    return parse(file.toString(), read(file));
  }

  /** Every product a contract file describes; see {@link #parseAll(String, String)}. */
  public static List<Contract> parseAll(Path file) throws InvalidContractException {
    return parseAll(file.toString(), read(file));
  }

  /** A contract document's text as written, for a tool that reads it once (a pipe can be read only once). */
  public static JsonNode document(String text) throws IOException {
    return isJson(text) ? JSON.readTree(text) : YamlBooleanWords.resolve(YAML.readTree(text));
  }

  /**
   * A contract file's document as written (YAML or JSON), without checking it: for what a tool shows of a file the
   * parser took already (its version, the roles of a contract without products).
   */
  public static JsonNode document(Path file) throws IOException {
    return YamlBooleanWords.resolve(YAML.readTree(file.toFile()));
  }

  /**
   * The largest contract file read: the YAML parser's limit (3,145,728 code points), which it only finds after a long
   * scan; a contract with thousands of properties stays far below it.
   */
  static final long MAX_FILE_BYTES = 3L * 1024 * 1024;

  /**
   * A contract file's text, refused as a problem when it is larger than {@link #MAX_FILE_BYTES}, not UTF-8 or cannot
   * be read. Reads a pipe ({@code <(git show HEAD:file)}) too, once.
   */
  public static String read(Path file) throws InvalidContractException {
    try {
      // a pipe has no size to ask for up front: it is read up to one byte past the limit, which is enough to tell
      long size = Files.isRegularFile(file) ? Files.size(file) : -1;
      byte[] bytes = new byte[0];
      if (size <= MAX_FILE_BYTES) {
        try (java.io.InputStream in = Files.newInputStream(file)) {
          bytes = in.readNBytes((int) MAX_FILE_BYTES + 1);
        }
      }
      if (size > MAX_FILE_BYTES || bytes.length > MAX_FILE_BYTES) {
        throw new InvalidContractException(file.toString(), List.of(new Problem("", String.format(java.util.Locale.ROOT,
            "the file is %s; a contract file is at most 3 MiB (%,d bytes; is it a contract? a long text"
                + " belongs in a document the contract links to, e.g. authoritativeDefinitions)",
            size > MAX_FILE_BYTES ? String.format(java.util.Locale.ROOT, "%,d bytes", size) : "longer than that",
            MAX_FILE_BYTES))));
      }
      return StandardCharsets.UTF_8.newDecoder().onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
          .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT).decode(java.nio.ByteBuffer.wrap(bytes))
          .toString();
    } catch (java.nio.charset.CharacterCodingException e) {
      throw new InvalidContractException(file.toString(), List.of(new Problem("", "not UTF-8 text (a contract is"
          + " YAML or JSON in UTF-8; is this a binary file?)")));
    } catch (IOException e) {
      throw new InvalidContractException(file.toString(), List.of(new Problem("", "cannot read file: "
          + IoReasons.of(e))));
    }
  }

  /**
   * Parses a contract that describes exactly one product (one schema object); {@code source} names it in messages
   * (a file name or resource).
   */
  public static Contract parse(String source, String text) throws InvalidContractException {
    List<Contract> products = parseAll(source, text);
    if (products.size() != 1) {
      throw new InvalidContractException(source, List.of(new Problem("/schema", products.isEmpty()
          ? "the contract describes no schema object, so no data product"
          : "the contract describes " + products.size() + " products, one per schema object ("
              + String.join(", ", products.stream().map(Contract::id).toList()) + ")")));
    }
    return products.get(0);
  }

  /**
   * Parses a contract into the products it describes, one per schema object (none when it has no {@code schema}:
   * a valid ODCS document that describes no data). {@code source} names it in messages (a file name or resource).
   *
   * @throws InvalidContractException with every problem of the document, each with its JSON pointer
   */
  public static List<Contract> parseAll(String source, String text) throws InvalidContractException {
    return parseAll(source, text, source.toLowerCase(Locale.ROOT).endsWith(".json") || isJson(text));
  }

  /**
   * Whether a text of no known name (a pipe, standard input, the copy a node keeps of a deployed contract) is a JSON
   * document: read as YAML, a NEL or LS inside one of its strings would become a space. A YAML flow mapping
   * ({@code {id: x}}) is no JSON and stays YAML.
   */
  private static boolean isJson(String text) {
    if (!text.stripLeading().startsWith("{")) {
      return false;
    }
    try {
      JSON.readTree(text);
      return true;
    } catch (JsonProcessingException e) {
      return false;
    }
  }

  private static List<Contract> parseAll(String source, String text, boolean json) throws InvalidContractException {
    String format = json ? "JSON" : "YAML";
    JsonNode document;
    try {
      List<JsonNode> documents = json ? List.of(JSON.readTree(text)) : YAML.readValues(YAML.getFactory()
          .createParser(text), JsonNode.class).readAll().stream()
          // an empty document (a trailing or doubled ---) holds no contract: it is not a second one
          .filter(d -> d != null && !d.isMissingNode() && !d.isNull())
          .toList();
      if (documents.size() > 1) {
        throw new InvalidContractException(source, List.of(new Problem("", "the file holds " + documents.size()
            + " YAML documents (separated by ---); a contract file holds one contract: put each in its own file")));
      }
      document = documents.isEmpty() ? null : json ? documents.get(0) : YamlBooleanWords.resolve(documents.get(0));
    } catch (JsonProcessingException e) {
      throw new InvalidContractException(source, List.of(new Problem("", "not valid " + format + ": "
          + readable(e))));
    } catch (IOException e) {
      throw new InvalidContractException(source, List.of(new Problem("", "cannot read: " + e.getMessage())));
    }
    if (document == null || !document.isObject()) {
      throw new InvalidContractException(source, List.of(new Problem("", (document == null
          ? "the file is empty (or only comments): " : "") + "a contract must be a " + format + " "
          + (json ? "object" : "mapping"))));
    }
    List<Problem> problems = new ArrayList<>(OdcsSchemaProblems.of(document));
    ContractReader reader = new ContractReader(document);
    List<Contract> contracts = reader.readAll();
    // where the reader says more about a value than the schema (an unknown logical type with the likely one,
    // rather than "does not have a value in the enumeration"; a nameless property; a range that is not two numbers),
    // one line is enough
    java.util.Set<String> explained = reader.problems().stream().map(Problem::path)
        .filter(path -> path.endsWith("/logicalType") || path.endsWith("/name") || path.endsWith("Between")
            || path.endsWith("/implementation"))
        .collect(java.util.stream.Collectors.toSet());
    problems.removeIf(p -> explained.contains(p.path())
        || explained.stream().anyMatch(e -> e.endsWith("Between") && p.path().startsWith(e + "/")));
    problems.addAll(reader.problems());
    // the deeper checks run on a document with problems too, so one lint lists every mistake (not the next few
    // after each fix); each one a problem above already covers is left out
    List<Problem> deeper = new ArrayList<>(sharedIds(contracts));
    boolean clean = problems.isEmpty();
    deeper.addAll(sharedRoles(contracts.stream().map(c -> SemanticChecks.check(c, !clean)).toList()));
    boolean semanticClean = clean && deeper.isEmpty();
    List<Problem> unchecked = new ArrayList<>();
    for (Contract contract : contracts) {
      for (ContractCheck check : EXTRA_CHECKS) {
        deeper.addAll(checked(semanticClean, check, contract, unchecked));
      }
    }
    problems.addAll(uncovered(deeper, problems, reader.typeGuessed()));
    if (!problems.isEmpty()) {
      problems.sort(Comparator.comparing(Problem::path));
      problems.addAll(unchecked); // consequences of the problems above: said after them
      throw new InvalidContractException(source, dedupe(problems));
    }
    return contracts;
  }

  /**
   * A check's problems. On a document that already has problems a check may trip over a value they are about (a
   * type it cannot map, two columns of one name): it then says so in {@code unchecked}, so a user who fixes what is
   * listed is not surprised by its problems on the next lint.
   */
  private static List<Problem> checked(boolean clean, ContractCheck check, Contract contract,
      List<Problem> unchecked) {
    try {
      return check.problems(contract);
    } catch (RuntimeException e) {
      if (clean) {
        throw e;
      }
      unchecked.add(new Problem("", check.checks() + (contract.id() == null ? "" : " of " + contract.id())
          + " could not be checked until the other problems listed are fixed; lint again then"));
      return List.of();
    }
  }

  /**
   * The deeper problems no earlier one covers: one at the same place, or inside the same property, rule or role
   * (a property with an unknown logical type gets no second line about its bounds). A property whose unknown type
   * was checked as the one it most likely means ({@code typeGuessed}) keeps its other problems, as does any
   * property's key or partition position, which no type changes.
   */
  private static List<Problem> uncovered(List<Problem> deeper, List<Problem> earlier,
      java.util.Set<String> typeGuessed) {
    List<String> owners = earlier.stream()
        .filter(p -> !(p.path().endsWith("/logicalType") && typeGuessed.contains(owner(p.path()))))
        .map(p -> owner(p.path())).toList();
    return deeper.stream().filter(d -> d.path().endsWith("KeyPosition") || owners.stream().noneMatch(o ->
        d.path().equals(o) || d.path().startsWith(o + "/"))).toList();
  }

  /** The property, rule or role a pointer is inside of; the document for a top-level key. */
  private static String owner(String pointer) {
    java.util.regex.Matcher m = OWNER.matcher(pointer);
    return m.matches() ? m.group(1) : pointer;
  }

  private static final java.util.regex.Pattern OWNER = java.util.regex.Pattern.compile(
      "^(.*/(?:(?:properties|quality|roles|relationships)/\\d+|items))(?:/.*)?$");

  /**
   * The problems of each product of a document, with those of its roles kept only where they hold for every
   * product: roles are the document's, so a mask of a classification one table lacks, or ingest where one product
   * is derived, is no mistake while another product of the contract uses it.
   */
  private static List<Problem> sharedRoles(List<List<Problem>> perProduct) {
    List<Problem> problems = new ArrayList<>();
    for (List<Problem> own : perProduct) {
      for (Problem p : own) {
        boolean role = p.path().startsWith("/roles/");
        // a role's problem that every product has is the contract's: listed once
        if (!role || perProduct.stream().allMatch(other -> other.stream().anyMatch(o -> o.path().equals(p.path())))
            && !problems.contains(p)) {
          problems.add(p);
        }
      }
    }
    return problems;
  }

  /** Two schema objects whose names make the same product id (e.g. {@code Orders} and {@code orders}). */
  private static List<Problem> sharedIds(List<Contract> contracts) {
    List<Problem> problems = new ArrayList<>();
    Map<String, Contract> seen = new java.util.HashMap<>();
    for (Contract c : contracts) {
      Contract first = seen.putIfAbsent(c.id(), c);
      if (first != null) {
        problems.add(new Problem(c.table().pointer() + "/name", "schema objects '" + first.table().name() + "' and '"
            + c.table().name() + "' both make product " + c.id() + ": give them names that differ in more than case"
            + " and punctuation"));
      }
    }
    return problems;
  }

  /**
   * A parser error as {@code line L, column C: <what>}: without Jackson's source description ("Source: REDACTED
   * ...") or the YAML parser's quoted snippet, which a one-line report cannot show.
   */
  private static String readable(JsonProcessingException e) {
    String what;
    int line;
    int column;
    if (e.getCause() instanceof MarkedYAMLException yaml && yaml.getProblemMark() != null) {
      what = yaml.getProblem() + (yaml.getContext() == null ? "" : " (" + yaml.getContext() + ")");
      line = yaml.getProblemMark().getLine() + 1;
      column = yaml.getProblemMark().getColumn() + 1;
    } else {
      what = e.getOriginalMessage();
      line = e.getLocation() == null ? -1 : e.getLocation().getLineNr();
      column = e.getLocation() == null ? -1 : e.getLocation().getColumnNr();
    }
    what = JsonMessages.readable(what);
    return (line > 0 ? "line " + line + ", column " + column + ": " : "") + what;
  }

  private static List<Problem> dedupe(List<Problem> problems) {
    return problems.stream().distinct().toList();
  }


}
