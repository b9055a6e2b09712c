package io.lakemesh.contracts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.lakemesh.contracts.evolution.ContractDiff;
import io.lakemesh.contracts.model.Contract;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** A deployed contract written back as YAML reads as the same document, and as the same contract. */
class ContractYamlTest {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  static Stream<Path> contracts() throws Exception {
    return Stream.concat(ContractCorpusTest.valid(), Stream.of(Path.of("..", "domains", "retail", "contracts",
        RetailContracts.TRANSACTIONS), Path.of("..", "domains", "retail", "contracts", RetailContracts.DAILY_SALES)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("contracts")
  void aContractWrittenAsYamlReadsAsTheSameContract(Path file) throws Exception {
    List<Contract> original = ContractParser.parseAll(file);
    String yaml = ContractYaml.write(original.get(0).document());
    List<Contract> again = ContractParser.parseAll(file + " (written back)", yaml);
    assertEquals(original.size(), again.size());
    for (int i = 0; i < original.size(); i++) {
      assertEquals(original.get(i).document(), again.get(i).document(), yaml);
      assertTrue(ContractDiff.compare(original.get(i), again.get(i)).changes().isEmpty(), yaml);
    }
    // YAML as people write it: no document marker, no quotes where none are needed
    assertTrue(yaml.startsWith("apiVersion: ") || yaml.startsWith("kind: ") || yaml.startsWith("id: "), yaml);
    if (Files.readString(file).contains("\nversion: 1.0.0")) {
      // a YAML 1.1 reader would take an unquoted 2026-11-27 for a date and 12:30 for 750: strings from a digit on
      // are quoted
      assertTrue(yaml.contains("\nversion: \"1.0.0\"\n"), yaml);
    }
  }

  @org.junit.jupiter.api.Test
  void stringsAYaml11ReaderWouldTakeForNumbersOrDatesAreQuoted() {
    var doc = JsonNodeFactory.instance.objectNode();
    for (String v : List.of("2026-11-27", "12:30", "-1:30", "+5", ".5", "-.5")) {
      doc.put("k" + doc.size(), v);
    }
    doc.put("plain", "shop-1");
    String yaml = ContractYaml.write(doc);
    for (String v : List.of("2026-11-27", "12:30", "-1:30", "+5", ".5", "-.5")) {
      assertTrue(yaml.contains(": \"" + v + "\"\n"), v + " in " + yaml);
    }
    assertTrue(yaml.contains("plain: shop-1\n"), yaml);
  }

  @Property(tries = 1000)
  void anyDocumentReadsBackTheSame(@ForAll("documents") JsonNode document) throws Exception {
    String yaml = ContractYaml.write(document);
    assertEquals(document, YAML.readTree(yaml), yaml);
  }

  @Provide
  Arbitrary<JsonNode> documents() {
    return Arbitraries.lazyOf(() -> objects(3));
  }

  private static Arbitrary<JsonNode> objects(int depth) {
    return Arbitraries.maps(keys(), values(depth - 1)).ofMaxSize(5).map(members -> {
      ObjectNode o = JsonNodeFactory.instance.objectNode();
      members.forEach(o::set);
      return o;
    });
  }

  private static Arbitrary<JsonNode> values(int depth) {
    Arbitrary<JsonNode> scalars = Arbitraries.oneOf(
        strings().map(JsonNodeFactory.instance::textNode),
        Arbitraries.integers().map(i -> JsonNodeFactory.instance.numberNode(i)),
        Arbitraries.longs().between(Integer.MAX_VALUE + 1L, Long.MAX_VALUE).map(l -> JsonNodeFactory.instance.numberNode(l)),
        Arbitraries.doubles().between(-1e12, 1e12).ofScale(4).map(d -> JsonNodeFactory.instance.numberNode(d.doubleValue())),
        Arbitraries.of(true, false).map(JsonNodeFactory.instance::booleanNode),
        Arbitraries.just(JsonNodeFactory.instance.nullNode()));
    if (depth <= 0) {
      return scalars;
    }
    Arbitrary<JsonNode> arrays = values(depth - 1).list().ofMaxSize(4).map(items -> {
      ArrayNode a = JsonNodeFactory.instance.arrayNode();
      items.forEach(a::add);
      return a;
    });
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(6, scalars), net.jqwik.api.Tuple.of(2, arrays),
        net.jqwik.api.Tuple.of(2, Arbitraries.lazy(() -> objects(depth))));
  }

  private static Arbitrary<String> keys() {
    return Arbitraries.oneOf(Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(8),
        Arbitraries.of("true", "null", "10", "on", "key: value", "- item", "#note", " spaced "));
  }

  /** Strings YAML would read as something else, or that need care: each must come back as the same string. */
  private static Arbitrary<String> strings() {
    return Arbitraries.oneOf(
        Arbitraries.of("", " ", "10", "1.0", "1e3", "0x1F", "0o17", "-5", ".5", "+1", "1_000", "true", "False", "yes",
            "No", "on", "OFF", "y", "n", "null", "Null", "~", "NaN", ".nan", ".inf", "-.Inf", "2026-11-27",
            "2026-11-27T10:00:00Z", "12:30", "a: b", "- a", "[a]", "{a: 1}", "# not a comment", "a # b", "'q'",
            "\"dq\"", "line one\nline two", "trailing\n", "\ttab", "back\\slash", "%percent", "@at", "`tick",
            "&anchor", "*alias", "!tag", "|", ">", "?", ":", ",", "row.region == claims.region",
            "abs(sum(items.map(i, i.line_amount)) - total_amount) < 0.015", "Données Ventes", "日本語", "emoji 😀",
            "SELECT COUNT(*) FROM ${object} WHERE x = 'a'", "\u0085nel", "\u2028ls", "x\u0000y", "\u00a0nbsp"),
        // any character a UTF-8 file can hold (a lone surrogate is none)
        Arbitraries.strings().withCharRange('\u0000', '\uD7FF').withCharRange('\uE000', '\uFFFF').ofMaxLength(20));
  }
}
