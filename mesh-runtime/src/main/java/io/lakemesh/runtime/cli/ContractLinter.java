package io.lakemesh.runtime.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.lakemesh.contracts.ContractParser;
import io.lakemesh.contracts.InvalidContractException;
import io.lakemesh.contracts.Problem;
import io.lakemesh.contracts.iceberg.IcebergMapping;
import io.lakemesh.contracts.model.Contract;
import io.lakemesh.contracts.model.Field;
import io.lakemesh.contracts.validate.RowValidator;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.iceberg.Schema;
import org.apache.iceberg.transforms.Transform;
import org.apache.iceberg.transforms.Transforms;
import org.apache.iceberg.types.Type;

/**
 * Everything wrong with one contract file: what the parser refuses (ODCS JSON Schema and semantic checks), and what
 * would still stop a node from running the product (a partition transform that does not apply to its column's
 * type, a schema or validator that cannot be built).
 */
final class ContractLinter {

  private ContractLinter() {}

  static List<Problem> lint(Path file) {
    List<Contract> products;
    try {
      products = ContractParser.parseAll(file);
    } catch (InvalidContractException e) {
      return e.problems();
    }
    List<Problem> problems = new ArrayList<>();
    for (Contract product : products) {
      problems.addAll(lint(product));
    }
    return problems;
  }

  /** What would stop a node from running one product of a contract the parser accepts. */
  private static List<Problem> lint(Contract contract) {
    String object = contract.table().pointer();
    List<Problem> problems = new ArrayList<>();
    Schema schema;
    try {
      schema = IcebergMapping.schema(contract);
    } catch (RuntimeException e) {
      return List.of(new Problem(object, "cannot build the Iceberg schema: " + message(e)));
    }
    List<Field> top = contract.table().fields();
    for (Field f : contract.partitionFields()) {
      String transform = IcebergMapping.transformOf(f);
      Type type = schema.findType(f.name());
      String pointer = transformPointer(contract, object + "/properties/" + top.indexOf(f));
      try {
        Transform<?, ?> t = Transforms.fromString(transform);
        if (!t.canTransform(type)) {
          problems.add(new Problem(pointer, "partition transform " + transform + " does not apply to '" + f.name()
              + "' of type " + type));
        }
      } catch (RuntimeException e) {
        problems.add(new Problem(pointer, "partition transform '" + transform + "': " + message(e)));
      }
    }
    if (problems.isEmpty()) {
      try {
        IcebergMapping.partitionSpec(contract, schema);
      } catch (RuntimeException e) {
        problems.add(new Problem(object + "/properties", "cannot build the partition spec: " + message(e)));
      }
    }
    try {
      RowValidator.compile(contract);
    } catch (RuntimeException e) {
      problems.add(new Problem(object, "cannot compile the row validator: " + message(e)));
    }
    return problems;
  }

  /** Where a property's partition transform is written, or the property itself when it uses the default. */
  private static String transformPointer(Contract contract, String property) {
    JsonNode custom = contract.document() == null ? null : contract.document().at(property + "/customProperties");
    for (int i = 0; custom != null && i < custom.size(); i++) {
      String name = custom.get(i).path("property").asText();
      if (name.equals("partitionTransform") || name.equals("lakemeshPartitionTransform")) {
        return property + "/customProperties/" + i + "/value";
      }
    }
    return property;
  }

  private static String message(RuntimeException e) {
    String m = e.getMessage();
    return m == null ? e.getClass().getSimpleName() : m.replace('\n', ' ');
  }
}
