package io.lakemesh.runtime.serve;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lakemesh.contracts.policy.ColumnMask;
import io.lakemesh.runtime.security.JsonMasks;
import io.lakemesh.runtime.security.ReadScope;
import io.lakemesh.runtime.storage.TableReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterable;

/**
 * Pages of a source product's quarantine, newest first: all of it, or the events one rule or reason code refused,
 * or those received in a time range. Every page reads the first page's snapshot and continues after the last event
 * it returned, so events quarantined meanwhile neither shift nor repeat the pages.
 */
final class QuarantinePages {
  /**
   * Exact decimals: masks and row filters see the numbers as sent, and a payload shows them as the sender wrote
   * them (10.00, not 1E+1, which Jackson's default trimming of decimal nodes would make of it).
   */
  private static final ObjectMapper PAYLOADS = new ObjectMapper()
      .enable(com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
      .configure(com.fasterxml.jackson.databind.cfg.JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES, false);
  /** Newest first: received later, then the higher partition and offset. */
  private static final Comparator<Key> NEWEST_FIRST = Comparator.comparingLong(Key::micros)
      .thenComparingInt(Key::partition).thenComparingLong(Key::offset).reversed();

  /** An item's index in a reason's field ({@code lines[1].sku}); stats count items of all indexes together. */
  private static final java.util.regex.Pattern INDEX = java.util.regex.Pattern.compile("\\[\\d+]");
  /** Codes of reasons about a value that is not there: their messages quote nothing. */
  private static final java.util.Set<String> ABSENT_VALUE_CODES = java.util.Set.of("required", "missing_value",
      "null_value");

  private QuarantinePages() {}

  /**
   * What a page selects.
   *
   * @param rule only events with a reason of this rule (e.g. {@code region_valid}, {@code required})
   * @param code only events with a reason of this code (e.g. {@code type}, {@code batch_rule})
   * @param since only events received at or after it
   * @param until only events received before it
   */
  record Query(String rule, String code, Instant since, Instant until, int limit) {
    /** The query of the endpoint's parameters; {@code limit} is already checked. */
    /** Every reason code a quarantined event may carry (README "Read rows"). */
    static final java.util.Set<String> CODES = java.util.Set.of("malformed_json", "encoding", "type", "range",
        "scale", "format", "pattern", "required", "minimum", "maximum", "multiple_of", "min_length", "max_length",
        "min_items", "max_items", "unique_items", "min_properties", "max_properties", "invalid_value", "null_value",
        "missing_value", "rule", "rule_error", "batch_rule", "misrouted");

    /**
     * Reason codes that no built-in check has as its rule name (those are ODCS keywords: required, pattern, format,
     * minimum, maximum, ...): given as {@code rule=}, one of these is a code asked for the wrong way.
     */
    private static final java.util.Set<String> CODES_ONLY = CODES.stream()
        .filter(c -> !java.util.Set.of("required", "pattern", "format", "minimum", "maximum", "rule").contains(c))
        .collect(java.util.stream.Collectors.toUnmodifiableSet());

    /** @param ruleNames the names of the contract's quality rules (a rule may be named like a code) */
    static Query of(Map<String, String> params, int limit, java.util.Set<String> ruleNames)
        throws RowQueries.BadQueryException {
      Query q = new Query(text(params, "rule"), text(params, "code"), instant(params, "since"),
          instant(params, "until"), limit);
      if (q.rule() != null && CODES_ONLY.contains(q.rule().toLowerCase(java.util.Locale.ROOT))
          && ruleNames.stream().noneMatch(q.rule()::equalsIgnoreCase)) {
        throw new RowQueries.BadQueryException("bad-parameter", "'" + q.rule() + "' is a reason code, not a rule:"
            + " ask for code=" + q.rule() + " (rule= takes a quality rule's name, or the ODCS keyword of a built-in"
            + " check, e.g. physicalType for a scale or range, logicalType for a type)");
      }
      if (q.code() != null && !CODES.contains(q.code().toLowerCase(java.util.Locale.ROOT))) {
        throw new RowQueries.BadQueryException("bad-parameter", "code '" + q.code() + "' is not a reason code"
            + " of quarantined events; the codes are: " + new java.util.TreeSet<>(CODES));
      }
      if (q.since() != null && q.until() != null && !q.since().isBefore(q.until())) {
        throw new RowQueries.BadQueryException("bad-parameter", "since (" + q.since() + ") must come before until ("
            + q.until() + ")");
      }
      return q;
    }

    /**
     * Refuses a {@code rule} that found nothing and that names neither a rule of the contract ({@code ruleNames}) nor
     * a built-in check, in any case, alone or as stats name it with a field of the contract ({@code required:store_id},
     * {@code lines[].sku}: {@link io.lakemesh.contracts.model.Field#paths}; a rule's own name may hold a colon, as {@code invalidValues:answer}): most likely a typo,
     * which an empty page would hide. A rule a former contract version had still finds its events.
     */
    void checkFoundOrKnown(boolean found, java.util.Set<String> ruleNames,
        java.util.List<io.lakemesh.contracts.model.Field> fields) throws RowQueries.BadQueryException {
      if (found || rule == null) {
        return;
      }
      java.util.Set<String> fieldPaths = io.lakemesh.contracts.model.Field.paths(fields);
      java.util.List<String> names = java.util.stream.Stream.concat(ruleNames.stream(),
          io.lakemesh.contracts.validate.Violation.BUILT_IN_RULES.stream()).toList();
      for (String name : names) {
        if (rule.equalsIgnoreCase(name)) {
          return;
        }
        if (rule.regionMatches(true, 0, name + ":", 0, name.length() + 1)) {
          // the field as stats name it: every index as [], several columns of one rule joined by commas
          String field = INDEX.matcher(rule.substring(name.length() + 1)).replaceAll("[]");
          if (java.util.Arrays.stream(field.split(",")).allMatch(f -> fieldPaths.stream().anyMatch(f::equalsIgnoreCase))) {
            return;
          }
        }
      }
      throw new RowQueries.BadQueryException("bad-parameter", "no quarantined event asked for has a reason of rule '"
          + rule + "', and the contract has no rule of that name (nor a field of that name after the rule's):"
          + " its rules are " + (ruleNames.isEmpty() ? "none" : new java.util.TreeSet<>(ruleNames)) + "; built-in"
          + " checks are named by the ODCS keyword they enforce ("
          + new java.util.TreeSet<>(io.lakemesh.contracts.validate.Violation.BUILT_IN_RULES) + "); a rule of a former"
          + " contract version is found where it has events");
    }

    private static String text(Map<String, String> params, String name) throws RowQueries.BadQueryException {
      String value = params.get(name);
      if (value != null && value.isBlank()) {
        // an empty value is a client's mistake (a variable that was not set), not "any"
        throw new RowQueries.BadQueryException("bad-parameter", name + " is empty; leave it out to not select by it");
      }
      return value;
    }

    private static Instant instant(Map<String, String> params, String name) throws RowQueries.BadQueryException {
      String text = text(params, name);
      if (text == null) {
        return null;
      }
      try {
        Instant t = io.lakemesh.contracts.validate.Timestamps.parse(text).toInstant();
        if (t.isBefore(Instant.parse("0001-01-01T00:00:00Z")) || t.isAfter(Instant.parse("9999-12-31T23:59:59Z"))) {
          throw new java.time.DateTimeException("outside years 1 to 9999");
        }
        return t;
      } catch (java.time.DateTimeException e) {
        throw new RowQueries.BadQueryException("bad-parameter", name + " is a time such as 2026-11-25T00:00:00Z,"
            + " not '" + text + "'" + io.lakemesh.contracts.validate.Timestamps.plusReadAsSpaceHint(text));
      }
    }

    /** Of this query on one table: a cursor made for another table or other parameters is refused. */
    String fingerprint(Table table) {
      return PageCursors.fingerprint(table, rule + "\u0000" + code + "\u0000" + since + "\u0000" + until);
    }
  }

  /** An event's place in the newest-first order. */
  private record Key(long micros, int partition, long offset) {
    static Key of(Record r) {
      OffsetDateTime received = (OffsetDateTime) r.getField("received_at");
      return new Key(ChronoUnit.MICROS.between(Instant.EPOCH, received.toInstant()),
          (Integer) r.getField("kafka_partition"), (Long) r.getField("kafka_offset"));
    }
  }

  /** Where the next page starts: after {@code last} in the snapshot the first page read. */
  private record Cursor(long snapshotId, Key last, String query) {
    private static final String VERSION = "q1";

    String encode() {
      return PageCursors.encode(VERSION, snapshotId, last.micros(), last.partition(), last.offset(), query);
    }

    static Cursor decode(String text, Query q, Table table) throws RowQueries.BadQueryException {
      String[] f = PageCursors.decode(text, VERSION, 5);
      Cursor cursor;
      try {
        cursor = new Cursor(Long.parseLong(f[0]), new Key(Long.parseLong(f[1]), Integer.parseInt(f[2]),
            Long.parseLong(f[3])), f[4]);
      } catch (NumberFormatException e) {
        throw PageCursors.notOurs();
      }
      if (!cursor.query().equals(q.fingerprint(table))) {
        throw new RowQueries.BadQueryException("bad-cursor", "the cursor belongs to another product or to other"
            + " rule, code, since or until parameters: page with the same ones as the first request");
      }
      return cursor;
    }
  }

  /** @param masked whether a mask changed a value of the payload shown */
  private record Visible(Key key, Record record, String payload, boolean masked) {}

  private record MaskedPayload(String text, boolean masked) {}

  /**
   * One page; {@code deadline} is checked as rows are scanned.
   *
   * @param product whose quarantine {@code table} is: a restricted caller sees only the values of the members its
   *     contract declares (see hideUndeclared), and rows name the product as it is served ({@code x@v1} for an older
   *     major, whose table stores the contract id its newer major shares)
   */
  static RowQueries.Page read(Table table, io.lakemesh.runtime.product.Product product, Query q, ReadScope scope,
      String cursorText, Runnable deadline)
      throws RowQueries.BadQueryException {
    List<io.lakemesh.contracts.model.Field> declared = product.contract().table().fields();
    Cursor cursor = cursorText == null ? null : Cursor.decode(cursorText, q, table);
    ArrayNode out = JsonNodeFactory.instance.arrayNode();
    if (table.currentSnapshot() == null || q.limit() == 0) {
      return new RowQueries.Page(out, null);
    }
    long snapshotId = PageCursors.snapshot(table, cursor == null ? null : cursor.snapshotId());
    Expression range = Expressions.alwaysTrue();
    if (q.since() != null) {
      range = Expressions.and(range, Expressions.greaterThanOrEqual("received_at", micros(q.since())));
    }
    if (q.until() != null) {
      range = Expressions.and(range, Expressions.lessThan("received_at", micros(q.until())));
    }
    // the limit newest of what follows the cursor, plus one to know whether there is a next page
    PriorityQueue<Visible> newest = new PriorityQueue<>(Comparator.comparing(Visible::key, NEWEST_FIRST.reversed()));
    int scanned = 0;
    try (CloseableIterable<Record> rows = TableReader.readInOrder(table, snapshotId, range, List.of())) {
      for (Record r : rows) {
        if (++scanned % 1024 == 0) {
          deadline.run();
        }
        Key key = Key.of(r);
        if (cursor != null && NEWEST_FIRST.compare(key, cursor.last()) <= 0) {
          continue; // on an earlier page
        }
        if (!matches(r, q)) {
          continue;
        }
        String payload = (String) r.getField("payload");
        boolean masked = false;
        if (!scope.unrestricted()) {
          Optional<MaskedPayload> shown = maskedPayload(payload, scope, declared);
          if (shown.isEmpty()) {
            continue;
          }
          payload = shown.get().text();
          masked = shown.get().masked();
        }
        newest.add(new Visible(key, r.copy(), payload, masked));
        if (newest.size() > q.limit() + 1) {
          newest.poll();
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<Visible> sorted = new ArrayList<>(newest);
    sorted.sort(Comparator.comparing(Visible::key, NEWEST_FIRST));
    boolean more = sorted.size() > q.limit();
    List<Visible> page = more ? sorted.subList(0, q.limit()) : sorted;
    for (Visible v : page) {
      ObjectNode row = JsonRows.row(v.record(), List.of());
      row.put("product", product.id());
      row.put("payload", v.payload());
      if (v.masked()) {
        // the SHA-256 of the bytes as sent: with the shown payload, a masked value of a small space (an id) is
        // found by hashing candidates, so it goes wherever a mask applied
        row.remove("event_hash");
      }
      if (!scope.unrestricted()) {
        withholdMaskedValues(row, scope);
      }
      out.add(row);
    }
    return new RowQueries.Page(out, more
        ? new Cursor(snapshotId, page.get(page.size() - 1).key(), q.fingerprint(table)).encode() : null);
  }

  private static long micros(Instant t) {
    return ChronoUnit.MICROS.between(Instant.EPOCH, t);
  }

  /**
   * Whether one of the event's reasons is of the rule and code asked for, in any case; a rule may also be given as
   * the stats name it, {@code <rule>:<field>} ({@code required:depot}).
   */
  private static boolean matches(Record r, Query q) {
    if (q.rule() == null && q.code() == null) {
      return true;
    }
    for (Object reason : (List<?>) r.getField("reasons")) {
      Record rr = (Record) reason;
      String rule = String.valueOf(rr.getField("rule"));
      String field = String.valueOf(rr.getField("field"));
      // stats count items of all indexes together: lines[].sku for lines[1].sku
      boolean ruleMatches = q.rule() == null || q.rule().equalsIgnoreCase(rule)
          || q.rule().equalsIgnoreCase(rule + ":" + field)
          || q.rule().equalsIgnoreCase(rule + ":" + INDEX.matcher(field).replaceAll("[]"));
      if (ruleMatches && (q.code() == null || q.code().equalsIgnoreCase(String.valueOf(rr.getField("code"))))) {
        return true;
      }
    }
    return false;
  }

  /** A rule's message may quote the value it refused: not for a field the caller sees masked. */
  static void withholdMaskedValues(ObjectNode row, ReadScope scope) {
    for (JsonNode reason : row.path("reasons")) {
      String field = reason.path("field").asText("");
      // a value that is not there has nothing to disclose: "is required" stays as it is
      boolean absent = ABSENT_VALUE_CODES.contains(reason.path("code").asText());
      if (reason instanceof ObjectNode r && !field.isEmpty() && !absent && scope.masksAnyOf(field)) {
        r.put("message", "the value of " + field + " is masked for your roles");
      }
    }
  }

  /** The payload as the scope shows it; empty when it is hidden (filtered out, or not a JSON object). */
  private static Optional<MaskedPayload> maskedPayload(String payload, ReadScope scope,
      List<io.lakemesh.contracts.model.Field> declared) {
    JsonNode parsed;
    try {
      parsed = PAYLOADS.readTree(payload);
    } catch (IOException | RuntimeException e) {
      return Optional.empty(); // not JSON: its fields cannot be masked, so a restricted caller does not see it
    }
    if (!(parsed instanceof ObjectNode object)) {
      return Optional.empty();
    }
    Map<String, Object> fields = PAYLOADS.convertValue(object, new TypeReference<Map<String, Object>>() {});
    Optional<Map<String, ColumnMask>> masks = scope.masks(fields);
    if (masks.isEmpty()) {
      return Optional.empty();
    }
    String before = object.toString();
    JsonMasks.apply(object, masks.get());
    JsonMasks.hideUndeclared(object, declared);
    String after = object.toString();
    return Optional.of(new MaskedPayload(after, !after.equals(before)));
  }
}
