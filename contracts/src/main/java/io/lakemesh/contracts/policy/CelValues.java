package io.lakemesh.contracts.policy;

import io.lakemesh.contracts.cel.RowExpressions;
import java.math.BigInteger;
import java.util.AbstractMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.types.Types;

/**
 * Read-only views that show rows and claims to CEL without copying them: a value is converted to CEL's model
 * (ints as longs, decimals as doubles, timestamps, nested records as maps) only when an expression reads it. A null
 * value is shown as absent, so {@code has(row.x)} is false and reading it is an evaluation error, never a match.
 */
final class CelValues {
  private CelValues() {}

  static Map<String, Object> of(Map<String, ?> map) {
    return new MapView(map);
  }

  static Map<String, Object> of(Record record) {
    return new RecordView(record);
  }

  static Object value(Object v) {
    if (v instanceof Map<?, ?> m) {
      @SuppressWarnings("unchecked")
      Map<String, ?> strings = (Map<String, ?>) m;
      return new MapView(strings);
    }
    if (v instanceof List<?> list) {
      return list.stream().map(CelValues::value).toList();
    }
    if (v instanceof Short || v instanceof Byte) {
      return ((Number) v).longValue();
    }
    if (v instanceof BigInteger b) {
      return b.bitLength() < 64 ? (Object) b.longValue() : (Object) b.doubleValue();
    }
    return RowExpressions.toCel(v);
  }

  private static final class MapView extends AbstractMap<String, Object> {
    private final Map<String, ?> map;

    MapView(Map<String, ?> map) {
      this.map = map;
    }

    @Override
    public Object get(Object key) {
      Object v = map.get(key);
      return v == null ? null : value(v);
    }

    @Override
    public boolean containsKey(Object key) {
      return map.get(key) != null;
    }

    @Override
    public Set<Entry<String, Object>> entrySet() {
      Map<String, Object> copy = new LinkedHashMap<>();
      map.forEach((k, v) -> {
        if (v != null) {
          copy.put(k, value(v));
        }
      });
      return copy.entrySet();
    }
  }

  private static final class RecordView extends AbstractMap<String, Object> {
    private final Record record;

    RecordView(Record record) {
      this.record = record;
    }

    @Override
    public Object get(Object key) {
      if (!(key instanceof String name) || record.struct().field(name) == null) {
        return null;
      }
      Object v = record.getField(name);
      return v == null ? null : value(v);
    }

    @Override
    public boolean containsKey(Object key) {
      return key instanceof String name && record.struct().field(name) != null && record.getField(name) != null;
    }

    @Override
    public Set<Entry<String, Object>> entrySet() {
      Map<String, Object> copy = new LinkedHashMap<>();
      for (Types.NestedField f : record.struct().fields()) {
        Object v = record.getField(f.name());
        if (v != null) {
          copy.put(f.name(), value(v));
        }
      }
      return copy.entrySet();
    }
  }
}
