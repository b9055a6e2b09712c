package io.lakemesh.contracts.cel;

import com.google.common.collect.ImmutableCollection;
import com.google.common.collect.ImmutableSet;
import dev.cel.common.types.CelType;
import dev.cel.common.types.CelTypeProvider;
import dev.cel.common.types.ListType;
import dev.cel.common.types.SimpleType;
import dev.cel.common.types.StructType;
import io.lakemesh.contracts.model.Field;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The CEL types of a contract's properties, objects included: each object (at any depth, also as array items) is a
 * struct type with its declared properties, so the type checker refuses {@code origin.contry} and
 * {@code origin.country + 1} as it refuses them on top-level columns. At run time an object is still a map of its
 * present members (a {@code RecordView}); the runtime selects map keys whatever the static type.
 */
public final class ContractTypes {
  private static final String PREFIX = "lakemesh.";

  private final Map<String, CelType> structs = new LinkedHashMap<>();
  private final Map<String, CelType> columns = new LinkedHashMap<>();

  private ContractTypes() {}

  /** The types of {@code fields} and of every object nested in them. */
  public static ContractTypes of(List<Field> fields) {
    ContractTypes types = new ContractTypes();
    for (Field f : fields) {
      types.columns.putIfAbsent(f.name(), types.type(f, f.name()));
    }
    return types;
  }

  /** The type of each top-level property, by name. */
  public Map<String, CelType> columns() {
    return columns;
  }

  /** Adds a struct type of the given name (e.g. a whole row) to the ones the checker can resolve. */
  public StructType struct(String name, Map<String, CelType> members) {
    StructType t = StructType.create(name, ImmutableSet.copyOf(members.keySet()),
        member -> Optional.ofNullable(members.get(member)));
    structs.put(name, t);
    return t;
  }

  /** What the checker needs to select members of the struct types. */
  public CelTypeProvider provider() {
    ImmutableSet<CelType> all = ImmutableSet.copyOf(structs.values());
    return new CelTypeProvider() {
      @Override
      public ImmutableCollection<CelType> types() {
        return all;
      }

      @Override
      public Optional<CelType> findType(String typeName) {
        return Optional.ofNullable(structs.get(typeName));
      }
    };
  }

  private CelType type(Field field, String path) {
    return switch (field.type()) {
      case STRING, DATE, TIME -> SimpleType.STRING;
      case TIMESTAMP -> SimpleType.TIMESTAMP;
      // a number stored as a whole number (physicalType int, bigint, ...) is an int to CEL, as its values are
      case NUMBER -> io.lakemesh.contracts.iceberg.IcebergMapping.isWholeNumber(field) ? SimpleType.INT
          : SimpleType.DOUBLE;
      case INTEGER -> SimpleType.INT;
      case BOOLEAN -> SimpleType.BOOL;
      case OBJECT -> {
        if (field.isFreeFormObject()) {
          yield SimpleType.STRING; // no declared properties: stored and seen as its JSON text
        }
        Map<String, CelType> members = new LinkedHashMap<>();
        for (Field p : field.properties()) {
          members.putIfAbsent(p.name(), type(p, path + "." + p.name()));
        }
        yield struct(PREFIX + path, members);
      }
      case ARRAY -> ListType.create(field.items() == null ? SimpleType.DYN : type(field.items(), path + "[]"));
    };
  }
}
