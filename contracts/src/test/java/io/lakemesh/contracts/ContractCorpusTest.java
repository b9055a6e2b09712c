package io.lakemesh.contracts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lakemesh.contracts.iceberg.IcebergMapping;
import io.lakemesh.contracts.model.Contract;
import io.lakemesh.contracts.model.ContractMetadata;
import io.lakemesh.contracts.model.LogicalType;
import io.lakemesh.contracts.validate.RowValidator;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A corpus of contracts of our own: every valid one parses and compiles (schema, partitioning, validators); every
 * invalid one is refused with the problem its first line announces ({@code # expect: <path> | <words>}).
 */
class ContractCorpusTest {

  static Stream<Path> valid() throws IOException, URISyntaxException {
    return files("valid");
  }

  static Stream<Path> invalid() throws IOException, URISyntaxException {
    return files("invalid");
  }

  private static Stream<Path> files(String kind) throws IOException, URISyntaxException {
    Path dir = Path.of(ContractCorpusTest.class.getResource("/corpus/" + kind).toURI());
    List<Path> all;
    try (Stream<Path> s = Files.list(dir)) {
      all = s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
    }
    assertFalse(all.isEmpty());
    return all.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("valid")
  void validContractsParseAndCompile(Path file) throws Exception {
    List<Contract> products = ContractParser.parseAll(file);
    assertFalse(products.isEmpty(), file + " describes no product");
    for (Contract c : products) {
      var schema = IcebergMapping.schema(c);
      IcebergMapping.partitionSpec(c, schema);
      RowValidator.compile(c);
      assertEquals(c.table().fields().size(), schema.columns().size());
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalid")
  void invalidContractsAreRefusedWithTheExpectedProblem(Path file) throws Exception {
    String text = Files.readString(file);
    String header = text.lines().findFirst().orElseThrow();
    assertTrue(header.startsWith("# expect: "), file + " must start with '# expect: <path> | <words>'");
    String[] expect = header.substring("# expect: ".length()).split("\\|");
    String path = expect[0].trim();
    String words = expect[1].trim();
    InvalidContractException e = assertThrows(InvalidContractException.class,
        () -> ContractParser.parseAll(file.getFileName().toString(), text), file.getFileName() + " was accepted");
    assertTrue(e.problems().stream().anyMatch(p -> p.path().startsWith(path.equals("/") ? "" : path)
            && (p.reason().contains(words) || p.path().contains(words))),
        file.getFileName() + ": expected a problem at " + path + " mentioning '" + words + "', got\n"
            + e.getMessage());
  }

  @Test
  void theKitchenSinkCoversEverySectionAndType() throws Exception {
    Path file = valid().filter(p -> p.getFileName().toString().startsWith("kitchen-sink")).findFirst()
        .orElseThrow();
    Contract c = ContractParser.parse(file);
    Set<LogicalType> types = EnumSet.noneOf(LogicalType.class);
    c.table().fields().forEach(f -> types.add(f.type()));
    assertEquals(EnumSet.allOf(LogicalType.class), types, "every logical type is used");
    ContractMetadata m = c.metadata();
    assertEquals("acme", m.tenant());
    assertEquals(2, m.servers().size());
    assertEquals("kafka", m.servers().get(0).type());
    assertEquals(2, m.support().size());
    assertEquals("USD", m.price().currency());
    assertEquals("ana@example.com", m.team().get(0).username());
    assertEquals(1, m.authoritativeDefinitions().size());
    assertEquals(2, m.relationships().size());
    assertEquals(List.of("shipments.address.postcode"), m.relationships().get(1).from());
    assertEquals(3, c.slaProperties().size());
    assertEquals(2, c.roles().size());
    assertTrue(Arrays.asList("logistics", "parcels").containsAll(m.tags()));
  }
}
