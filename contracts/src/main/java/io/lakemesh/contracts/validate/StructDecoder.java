package io.lakemesh.contracts.validate;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.databind.JsonNode;
import io.lakemesh.contracts.model.QualityRule;
import io.lakemesh.contracts.model.Severity;
import io.lakemesh.contracts.validate.StreamDecoder.SlowPath;
import java.io.IOException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.types.Types;

/** Decodes a JSON object into a {@link GenericRecord}, member by member. */
final class StructDecoder implements Decoder {

  /** One property of the object: where it goes in the record and how it is decoded. */
  /**
   * @param missingRules the property's {@code nullValues} and {@code missingValues} rules, each judged on its own
   */
  record Member(String name, int position, boolean required, List<QualityRule.Library> missingRules,
      Decoder decoder, StreamDecoder stream, String physicalName, List<NestedRule> nestedMissingRules) {
    Member {
      missingRules = List.copyOf(missingRules);
      nestedMissingRules = List.copyOf(nestedMissingRules);
    }

    Member(String name, int position, boolean required, List<QualityRule.Library> missingRules, Decoder decoder,
        StreamDecoder stream) {
      this(name, position, required, missingRules, decoder, stream, null, List.of());
    }

    /** Whether a present value counts as missing for some {@code missingValues} rule (blank, or listed). */
    boolean missing(String text) {
      for (QualityRule.Library r : missingRules) {
        if (r.metric().equals("missingValues") && r.countsAsMissing(text)) {
          return true;
        }
      }
      return false;
    }
  }

  /**
   * A {@code nullValues} or {@code missingValues} rule of a property inside an object member (through objects, not
   * arrays), by its path below the member: when the member is absent, so is the value, as a column reads it.
   */
  record NestedRule(List<String> path, QualityRule.Library rule) {}

  private final GenericRecord template;
  private final Member[] members;
  private final Map<String, Member> byName = new HashMap<>();
  /** Members by a physicalName that differs from their name: a producer writing the store's names is warned. */
  private final Map<String, Member> byPhysicalName = new HashMap<>();
  /** Member names, interned as Jackson interns the names it reads, so the usual lookup is an identity check. */
  private final String[] names;
  /**
   * The same names as JSON text, for {@link JsonParser#nextFieldName(SerializableString)}: when the next name is
   * the expected one, Jackson compares its bytes in place instead of decoding and hashing them into its symbol
   * table (a quarter of a row's time).
   */
  private final SerializableString[] quoted;
  /** Members that must be present and not null (or blank) for the event to be the common case. */
  private final boolean[] mustAppear;
  private final int mustAppearCount;

  StructDecoder(Types.StructType struct, List<Member> members) {
    this.template = GenericRecord.create(struct);
    this.members = members.toArray(Member[]::new);
    this.mustAppear = new boolean[this.members.length];
    this.names = new String[this.members.length];
    this.quoted = new SerializableString[this.members.length];
    for (int i = 0; i < this.members.length; i++) {
      names[i] = this.members[i].name().intern();
      quoted[i] = new SerializedString(names[i]);
    }
    for (Member m : this.members) {
      byName.put(m.name(), m);
      if (m.physicalName() != null && !m.physicalName().equals(m.name())) {
        byPhysicalName.put(m.physicalName(), m);
      }
      mustAppear[m.position()] = m.required() || !m.missingRules().isEmpty() || !m.nestedMissingRules().isEmpty();
    }
    int count = 0;
    for (boolean must : mustAppear) {
      count += must ? 1 : 0;
    }
    this.mustAppearCount = count;
  }

  @Override
  public GenericRecord decode(JsonNode object, FieldPath path, Findings findings) {
    GenericRecord record = template.copy();
    for (Member m : members) {
      JsonNode value = object.get(m.name());
      FieldPath memberPath = path.member(m.name());
      boolean absent = value == null || value.isNull();
      boolean missing = absent || (value.isValueNode() && m.missing(value.asText()));
      if (missing) {
        if (m.required()) {
          findings.error("required", memberPath, "required", "is required");
        }
        // the property's own rules are named too, required or not: a team counts and alerts on its rule's name
        for (QualityRule.Library rule : m.missingRules()) {
          boolean nullRule = rule.metric().equals("nullValues");
          if (nullRule && !absent) {
            continue; // a blank or listed value is missing, not null
          }
          if (!nullRule && !absent && !rule.countsAsMissing(value.asText())) {
            continue; // another missingValues rule's list
          }
          // an offender of a threshold rule stays and is counted: the batch judges the share
          Severity severity = rule.rejectsAnyOffender() ? rule.severity() : Severity.WARNING;
          findings.add(severity, nullRule ? "null_value" : "missing_value", memberPath, rule.name(), "is missing");
        }
        if (absent) {
          // a rule of a property inside the absent object: its value is missing too (a column of it reads null)
          for (NestedRule nested : m.nestedMissingRules()) {
            FieldPath at = memberPath;
            for (String step : nested.path()) {
              at = at.member(step);
            }
            QualityRule.Library rule = nested.rule();
            Severity severity = rule.rejectsAnyOffender() ? rule.severity() : Severity.WARNING;
            findings.add(severity, rule.metric().equals("nullValues") ? "null_value" : "missing_value", at,
                rule.name(), "is missing ('" + m.name() + "' is " + (value == null ? "absent" : "null") + ")");
          }
        }
        continue;
      }
      record.set(m.position(), m.decoder().decode(value, memberPath, findings));
    }
    if (!byPhysicalName.isEmpty()) {
      object.fieldNames().forEachRemaining(name -> {
        Member named = byName.containsKey(name) ? null : byPhysicalName.get(name);
        if (named != null) {
          // kept and counted, not refused: the row may be fine without it, but its author should hear of it
          findings.add(io.lakemesh.contracts.model.Severity.WARNING, "physical_name", path.member(name),
              "physicalName", "'" + name + "' is the physicalName of '" + named.name() + "'; events name members by"
                  + " property name, so its value is not read");
        }
      });
    }
    return record;
  }

  /**
   * Reads the object whose START_OBJECT is current, in the order its members come, for an object without
   * findings; throws {@link SlowPath} otherwise. Members the contract does not name are skipped, but their values
   * are still read as far as the tree parser would read them, so the parser's limits judge them the same way.
   */
  GenericRecord read(JsonParser parser) throws IOException {
    GenericRecord record = template.copy();
    int present = 0;
    // the stream parser does not detect duplicate names: a bit per member (the common case has at most 64), a set
    // for names the contract does not know
    long seen = 0;
    boolean[] seenWide = members.length > 64 ? new boolean[members.length] : null;
    Set<String> unknown = null;
    int next = 0; // members usually come in contract order
    while (true) {
      String name;
      int index;
      if (next < quoted.length && parser.nextFieldName(quoted[next])) {
        // the expected member; its name is ours (interned), as Jackson's would be
        index = next;
        name = names[next];
      } else {
        name = next < quoted.length ? currentName(parser) : parser.nextFieldName();
        if (name == null) {
          break;
        }
        index = find(name, next);
      }
      JsonToken t = parser.nextToken();
      Member m = index >= 0 ? members[index] : byName.get(name);
      next = index + 1;
      if (m == null) {
        if (byPhysicalName.containsKey(name)) {
          throw SlowPath.INSTANCE; // the tree decoder warns about it
        }
        if (unknown == null) {
          unknown = new HashSet<>();
        }
        if (!unknown.add(name)) {
          throw SlowPath.INSTANCE;
        }
        skip(parser, t);
        continue;
      }
      int position = m.position();
      if (seenWide == null) {
        long bit = 1L << position;
        if ((seen & bit) != 0) {
          throw SlowPath.INSTANCE;
        }
        seen |= bit;
      } else {
        if (seenWide[position]) {
          throw SlowPath.INSTANCE;
        }
        seenWide[position] = true;
      }
      if (t == JsonToken.VALUE_NULL) {
        continue; // absent: judged below
      }
      if (!m.missingRules().isEmpty() && t.isScalarValue() && m.missing(parser.getText())) {
        throw SlowPath.INSTANCE;
      }
      record.set(position, m.stream().read(parser, t));
      if (mustAppear[position]) {
        present++; // each at most once: duplicates were turned away above
      }
    }
    if (parser.currentToken() != JsonToken.END_OBJECT) {
      throw SlowPath.INSTANCE;
    }
    if (present != mustAppearCount) {
      throw SlowPath.INSTANCE;
    }
    return record;
  }

  /** The name the parser stands on after a name that was not the expected one, or null at the end of the object. */
  private static String currentName(JsonParser parser) throws IOException {
    return parser.currentToken() == JsonToken.FIELD_NAME ? parser.currentName() : null;
  }

  /** The index of the member named {@code name} by identity (the expected one first), or -1. */
  private int find(String name, int expected) {
    if (expected < names.length && names[expected] == name) {
      return expected;
    }
    for (int i = 0; i < names.length; i++) {
      if (names[i] == name) {
        return i;
      }
    }
    return -1;
  }

  /**
   * Skips a value, materialising its scalars as the tree parser does (string and number limits apply) and turning
   * away objects with a duplicate name, which the tree parser rejects.
   */
  private static void skip(JsonParser parser, JsonToken first) throws IOException {
    switch (first) {
      case START_OBJECT -> {
        Set<String> names = new HashSet<>();
        for (String name = parser.nextFieldName(); name != null; name = parser.nextFieldName()) {
          if (!names.add(name)) {
            throw SlowPath.INSTANCE;
          }
          skip(parser, parser.nextToken());
        }
        if (parser.currentToken() != JsonToken.END_OBJECT) {
          throw SlowPath.INSTANCE;
        }
      }
      case START_ARRAY -> {
        for (JsonToken t = parser.nextToken(); t != JsonToken.END_ARRAY; t = parser.nextToken()) {
          if (t == null) {
            throw SlowPath.INSTANCE;
          }
          skip(parser, t);
        }
      }
      case VALUE_STRING -> parser.getText();
      case VALUE_NUMBER_INT -> parser.getNumberValue();
      case VALUE_NUMBER_FLOAT -> parser.getDecimalValue();
      case VALUE_TRUE, VALUE_FALSE, VALUE_NULL -> { }
      default -> throw SlowPath.INSTANCE;
    }
  }

}
