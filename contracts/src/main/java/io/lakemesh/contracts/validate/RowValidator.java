package io.lakemesh.contracts.validate;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.cel.runtime.CelEvaluationException;
import io.lakemesh.contracts.cel.InvalidExpressionException;
import io.lakemesh.contracts.cel.RowExpressions;
import io.lakemesh.contracts.cel.RowPredicate;
import io.lakemesh.contracts.iceberg.IcebergMapping;
import io.lakemesh.contracts.model.Contract;
import io.lakemesh.contracts.model.QualityRule;
import io.lakemesh.contracts.model.Severity;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.iceberg.Schema;
import org.apache.iceberg.data.GenericRecord;

/**
 * A contract compiled into a row checker: parses an event, decodes it into a typed Iceberg row and applies every
 * row-level rule (types, options, library rules, CEL rules). Compiled once per contract version; thread-safe.
 */
public final class RowValidator {
  /** Exact decimals, and limits that keep a hostile event from exhausting memory or the stack. */
  private static final ObjectMapper EVENTS = JsonMapper.builder()
      .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
      .build();

  /**
   * The streaming pass's parsers: the same limits, but without Jackson's duplicate-name detection, which hashed
   * every name of every object into a fresh set (a sixth of a row's time). {@link StructDecoder#read} detects
   * duplicates itself, with a bit per contract member, and hands such an event to the tree parser, which reports it.
   */
  private static final ObjectMapper STREAM = JsonMapper.builder(JsonFactory.builder()
          .streamReadConstraints(limits())
          .build())
      .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
      .build();

  private static final JsonFactory STREAM_FACTORY = STREAM.getFactory();

  static {
    EVENTS.getFactory().setStreamReadConstraints(limits());
  }

  /** The parser limits an event is read with (depth, string and number lengths): ingest checks bodies by them. */
  public static StreamReadConstraints limits() {
    return StreamReadConstraints.builder().maxNestingDepth(64).maxStringLength(1_000_000).maxNumberLength(100)
        .build();
  }

  private final Schema schema;
  private final StructDecoder decoder;
  private final List<CompiledRule> rules;

  /**
   * @param field what a finding of the rule names as its field: the property it is declared on, else the top-level
   *     properties it reads (comma-separated, in the order read: {@code ts}, {@code items,total_amount})
   */
  private record CompiledRule(QualityRule.Cel rule, RowPredicate predicate, String field) {
    CompiledRule(QualityRule.Cel rule, RowPredicate predicate) {
      this(rule, predicate, rule.field() != null ? rule.field() : String.join(",", predicate.reads().stream()
          .map(path -> path.split("[.\\[]", 2)[0]).distinct().toList()));
    }

    /**
     * " (temperature absent)", " (items[2].tag absent)" when values the rule reads are not in the row: often why it
     * failed.
     */
    String absent(GenericRecord row) {
      List<String> absent = predicate.absent(row);
      return absent.isEmpty() ? "" : " (" + String.join(", ", absent) + " absent)";
    }

    String failure() {
      return rule.description() != null ? rule.description() : "fails " + rule.expression();
    }
  }

  private RowValidator(Schema schema, StructDecoder decoder, List<CompiledRule> rules) {
    this.schema = schema;
    this.decoder = decoder;
    this.rules = rules;
  }

  /** Compiles a contract that {@code ContractParser} accepted (its CEL rules are known to type-check). */
  public static RowValidator compile(Contract contract) {
    return compile(contract, IcebergMapping.schema(contract));
  }

  /**
   * Compiles against a table's own schema (same columns, in contract order, but field ids as the table has them,
   * e.g. after an in-place schema evolution), so the rows it produces match the table exactly.
   */
  public static RowValidator compile(Contract contract, Schema schema) {
    StructDecoder decoder = DecoderCompiler.struct(schema.asStruct(), contract.table().fields(), "");
    RowExpressions env = RowExpressions.forFields(contract.table().fields());
    List<CompiledRule> rules = new ArrayList<>();
    for (QualityRule.Cel rule : celRules(contract)) {
      try {
        rules.add(new CompiledRule(rule, env.compile(rule.expression())));
      } catch (InvalidExpressionException e) {
        throw new IllegalArgumentException("rule '" + rule.name() + "' does not compile: " + e.getMessage(), e);
      }
    }
    return new RowValidator(schema, decoder, List.copyOf(rules));
  }

  /** Every CEL rule of the contract, object-level and property-level. */
  public static List<QualityRule.Cel> celRules(Contract contract) {
    List<QualityRule.Cel> out = new ArrayList<>();
    for (QualityRule r : contract.table().quality()) {
      if (r instanceof QualityRule.Cel cel) {
        out.add(cel);
      }
    }
    contract.table().fields().forEach(f -> collect(f, out));
    return out;
  }

  private static void collect(io.lakemesh.contracts.model.Field f, List<QualityRule.Cel> out) {
    for (QualityRule r : f.quality()) {
      if (r instanceof QualityRule.Cel cel) {
        out.add(cel);
      }
    }
    f.properties().forEach(c -> collect(c, out));
    // an array's items (and their properties) carry rules too: each judges the row, as every CEL rule does
    if (f.items() != null) {
      collect(f.items(), out);
    }
  }

  public Schema schema() {
    return schema;
  }

  /**
   * Parses and validates one event's bytes (UTF-8 JSON). An event that meets its contract is read straight from
   * the bytes into its row; any other is parsed again as a tree, whose decoders name every problem, so both ways
   * give the same outcome and the reasons have one source.
   */
  public Outcome validate(byte[] payload, Instant now) {
    if (notUtf8(payload)) {
      return new Outcome.Rejected(List.of(new Violation("encoding", "", "event", "the event is not UTF-8 text (it"
          + " looks like UTF-16 or UTF-32): events are UTF-8 JSON")), List.of());
    }
    // ingest refuses such bodies; an event produced to the raw topic directly is quarantined for them
    int malformed = Utf8Text.firstMalformed(payload);
    if (malformed >= 0) {
      return new Outcome.Rejected(List.of(new Violation("encoding", "", "event", "the event is not valid UTF-8: "
          + Utf8Text.describe(payload, malformed) + "; events are UTF-8 JSON")), List.of());
    }
    GenericRecord row = stream(payload);
    if (row != null) {
      return judge(row, new Findings(), now);
    }
    JsonNode node;
    try {
      node = EVENTS.readTree(payload);
    } catch (JsonProcessingException e) {
      return malformed(e.getOriginalMessage());
    } catch (IOException e) {
      return malformed(e.getMessage());
    }
    return validate(node, now);
  }

  /**
   * UTF-16 and UTF-32 text, which Jackson would detect and read: bronze keeps events as UTF-8 text, so such an event
   * could not be kept as received. A byte order mark or a zero byte among the first two tells them.
   */
  private static boolean notUtf8(byte[] payload) {
    if (payload.length < 2) {
      return false;
    }
    int b0 = payload[0] & 0xFF;
    int b1 = payload[1] & 0xFF;
    return b0 == 0 || b1 == 0 || (b0 == 0xFE && b1 == 0xFF) || (b0 == 0xFF && b1 == 0xFE);
  }

  /** Validates an already parsed event (numbers must have been read as exact decimals). */
  public Outcome validate(JsonNode event, Instant now) {
    if (event == null || !event.isObject()) {
      String what = event == null || event.isMissingNode() ? "the event is empty; an event is one JSON object"
          : event.isArray() ? "an event is one JSON object, not an array (one event per Kafka record; the ingest"
              + " endpoint takes arrays and NDJSON)"
          : "an event must be a JSON object";
      return new Outcome.Rejected(List.of(new Violation("type", "", "event", what)), List.of());
    }
    Findings findings = new Findings();
    GenericRecord row = decoder.decode(event, FieldPath.ROOT, findings);
    return judge(row, findings, now);
  }

  /** The row of an event without findings, or null when it has some or is not well-formed. */
  GenericRecord stream(byte[] payload) {
    // from the factory itself: ObjectMapper.createParser only adds a configuration step the stream pass does not use
    // (the factory's codec is the mapper, so values read as trees get its settings)
    try (JsonParser parser = STREAM_FACTORY.createParser(payload)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      GenericRecord row = decoder.read(parser);
      // trailing tokens make the event malformed, as FAIL_ON_TRAILING_TOKENS does for the tree
      return parser.nextToken() == null ? row : null;
    } catch (StreamDecoder.SlowPath | IOException e) {
      return null;
    }
  }

  private Outcome judge(GenericRecord row, Findings findings, Instant now) {
    // rules read typed values: on a row that already failed decoding they would only repeat the failure
    if (!findings.hasErrors()) {
      for (CompiledRule r : rules) {
        String field = r.field();
        try {
          if (!r.predicate().test(row, now)) {
            findings.add(r.rule().severity(), "rule", field, r.rule().name(), r.failure() + r.absent(row));
          }
        } catch (CelEvaluationException e) {
          List<String> missing = r.predicate().absentBehind(e, row);
          String absent = missing.isEmpty() ? "" : " (" + String.join(", ", missing) + " absent)";
          if (!absent.isEmpty()) {
            // CEL cannot read through a missing member: the row lacks what the rule needs, so it fails the rule
            findings.add(r.rule().severity(), "rule", field, r.rule().name(), r.failure() + absent);
          } else {
            findings.add(r.rule().severity() == Severity.INFO ? Severity.WARNING : r.rule().severity(), "rule_error",
                field, r.rule().name(), "cannot be evaluated: " + r.predicate().describe(e));
          }
        }
      }
    }
    if (findings.hasErrors()) {
      return new Outcome.Rejected(findings.errors(), findings.warnings());
    }
    return new Outcome.Accepted(row, findings.warnings());
  }

  /** Parses event text with the validator's exact-decimal settings. */
  public static JsonNode parse(byte[] payload) throws IOException {
    return EVENTS.readTree(payload);
  }

  private static Outcome malformed(String message) {
    String oneLine = message == null ? "malformed JSON" : io.lakemesh.contracts.JsonMessages.readable(message);
    if (oneLine.startsWith("Trailing token")) {
      oneLine = "more than one JSON value in one event (NDJSON, or objects one after another): one event per Kafka"
          + " record; the ingest endpoint takes arrays and NDJSON";
    }
    // bytes that are no UTF-8 (Latin-1 text, say) never get here: validate(byte[]) checks them first
    return new Outcome.Rejected(List.of(new Violation("malformed_json", "", "json", oneLine)), List.of());
  }
}
