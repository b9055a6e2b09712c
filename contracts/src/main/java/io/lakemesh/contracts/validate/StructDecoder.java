package io.lakemesh.contracts.validate;

import com.fasterxml.jackson.databind.JsonNode;
import io.lakemesh.contracts.model.QualityRule;
import io.lakemesh.contracts.model.Severity;
import java.util.List;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.types.Types;

/** Decodes a JSON object into a {@link GenericRecord}, member by member. */
final class StructDecoder implements Decoder {

  /** One property of the object: where it goes in the record and how it is decoded. */
  record Member(String name, int position, boolean required, QualityRule.Library missingRule, Decoder decoder) {}

  private final GenericRecord template;
  private final Member[] members;

  StructDecoder(Types.StructType struct, List<Member> members) {
    this.template = GenericRecord.create(struct);
    this.members = members.toArray(Member[]::new);
  }

  @Override
  public GenericRecord decode(JsonNode object, FieldPath path, Findings findings) {
    GenericRecord record = template.copy();
    for (Member m : members) {
      JsonNode value = object.get(m.name());
      FieldPath memberPath = path.member(m.name());
      boolean missing = value == null || value.isNull()
          || (m.missingRule() != null && m.missingRule().metric().equals("missingValues") && isBlank(value));
      if (missing) {
        if (m.required()) {
          findings.error("required", memberPath, "required", "is required");
        } else if (m.missingRule() != null) {
          QualityRule.Library rule = m.missingRule();
          Severity severity = rule.threshold().rejectsAnyOffender() ? rule.severity() : Severity.WARNING;
          findings.add(severity, rule.metric().equals("nullValues") ? "null_value" : "missing_value", memberPath,
              rule.name(), "is missing");
        }
        continue;
      }
      record.set(m.position(), m.decoder().decode(value, memberPath, findings));
    }
    return record;
  }

  private static boolean isBlank(JsonNode value) {
    return value.isTextual() && value.textValue().isBlank();
  }
}
