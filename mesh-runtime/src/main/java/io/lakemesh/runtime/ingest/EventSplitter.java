package io.lakemesh.runtime.ingest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.lakemesh.contracts.validate.Utf8Text;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Splits an ingest body (a JSON array of events, or NDJSON) into the exact bytes of each event, and picks out each
 * event's key (its primary-key field, when present) without building a tree. The body is checked for JSON syntax
 * only: an event that is JSON but breaks its contract is accepted here and quarantined by the pipeline.
 */
public final class EventSplitter {
  /** How deep an event may nest, as the validator reads it alone: an array around the events is not counted. */
  private static final int MAX_EVENT_DEPTH = io.lakemesh.contracts.validate.RowValidator.limits()
      .getMaxNestingDepth();
  private static final JsonFactory JSON = JsonFactory.builder()
      // the validator's limits, so an event that passes here is not refused later as malformed JSON; but the depth
      // is each event's own (readObject checks it): the parser's limit leaves room for the array a body may hold its
      // events in, and for the level at which readObject refuses an event
      .streamReadConstraints(io.lakemesh.contracts.validate.RowValidator.limits().rebuild()
          .maxNestingDepth(MAX_EVENT_DEPTH + 2).build())
      // a repeated member name is malformed JSON as the validator reads it: refuse it here, before "accepted"
      .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .build();

  /** One event of a body: its bytes as received, and its key (null when absent or not a scalar). */
  public record Event(byte[] bytes, String key) {}

  /**
   * The most bytes one event may have: it travels as one Kafka record, whose request limit (1 MiB) also holds its
   * key, headers and framing.
   */
  public static final int MAX_EVENT_BYTES = 1_000_000;

  /** One event larger than {@link #MAX_EVENT_BYTES}: no retry can make it fit, so nothing of the body is sent. */
  public static final class EventTooLargeException extends MalformedBodyException {
    public EventTooLargeException(String message) {
      super(message);
    }
  }

  /** A body that is not a JSON array or NDJSON of objects; the message says where and why. */
  public static class MalformedBodyException extends Exception {
    public MalformedBodyException(String message) {
      super(message);
    }
  }

  private EventSplitter() {}

  /** The top-level field events are keyed by, and the form its JSON text is written in as the key. */
  private record KeyField(String name, UnaryOperator<String> form) {}

  public static List<Event> split(byte[] body, boolean ndjson, String keyField) throws MalformedBodyException {
    return split(body, ndjson, keyField, UnaryOperator.identity());
  }

  /**
   * Splits a body into events, each keyed by {@code keyField}'s value (null when absent or when {@code keyField}
   * is null) as {@code keyForm} writes its JSON text.
   */
  public static List<Event> split(byte[] body, boolean ndjson, String keyField, UnaryOperator<String> keyForm)
      throws MalformedBodyException {
    KeyField key = keyField == null ? null : new KeyField(keyField, keyForm);
    if (body.length >= 3 && (body[0] & 0xFF) == 0xEF && (body[1] & 0xFF) == 0xBB && (body[2] & 0xFF) == 0xBF) {
      body = Arrays.copyOfRange(body, 3, body.length); // a UTF-8 byte order mark, as some editors write: not data
    }
    if (body.length >= 2 && (body[0] & 0xFF) == 0x1F && (body[1] & 0xFF) == 0x8B) {
      // gzip's magic bytes: sent without a (readable) Content-Encoding, or compressed more often than it says
      throw new MalformedBodyException("the body is gzip data, not JSON: compress it once and say so with"
          + " Content-Encoding: gzip");
    }
    String otherEncoding = otherUnicodeEncoding(body);
    if (otherEncoding != null) {
      // Jackson would detect and read it, but the events go on as bytes that every reader takes for UTF-8
      throw new MalformedBodyException("the body is not UTF-8 (it looks like " + otherEncoding + "); send JSON as"
          + " UTF-8 (RFC 8259)");
    }
    int malformed = Utf8Text.firstMalformed(body);
    if (malformed >= 0) {
      int line = 1;
      for (int i = 0; i < malformed; i++) {
        line += body[i] == '\n' ? 1 : 0;
      }
      throw new MalformedBodyException("the body is not valid UTF-8 (on line " + line + "): "
          + Utf8Text.describe(body, malformed) + "; send JSON as UTF-8 (RFC 8259)");
    }
    int start = 0;
    while (start < body.length && Character.isWhitespace(body[start])) {
      start++;
    }
    if (start == body.length) {
      throw new MalformedBodyException("the body is empty; send a JSON array of events or NDJSON");
    }
    // the body's first character decides, whatever the Content-Type: no NDJSON event starts with '['
    if (body[start] == '[') {
      return array(body, key);
    }
    if (body[start] == '{') {
      // NDJSON, or one object, which may span lines (pretty-printed)
      try {
        return lines(body, key);
      } catch (MalformedBodyException notLines) {
        try {
          return oneObject(body, start, key);
        } catch (MalformedBodyException notOne) {
          // say what is wrong with the form the sender meant: lines when the first one is an object by itself
          throw firstLineIsAnObject(body, start) ? notLines : notOne;
        }
      }
    }
    if (ndjson) {
      return lines(body, key); // says which line is not an object
    }
    throw new MalformedBodyException("expected a JSON array of events or NDJSON (one JSON object per line)");
  }

  /**
   * Where a body is written in UTF-16 or UTF-32, when it is (null otherwise): by a byte order mark of one at its
   * start, or by the zero bytes such an encoding puts beside every ASCII character, wherever they begin (after
   * UTF-8 whitespace, on a later NDJSON line). A lone zero byte is left to the parser, which says where it is.
   */
  private static String otherUnicodeEncoding(byte[] body) {
    if (body.length >= 2 && ((body[0] & 0xFF) == 0xFE && (body[1] & 0xFF) == 0xFF
        || (body[0] & 0xFF) == 0xFF && (body[1] & 0xFF) == 0xFE)) {
      return "UTF-16 or UTF-32: it starts with a byte order mark of one";
    }
    for (int i = 0; i < body.length; i++) {
      if (body[i] == 0) {
        int zeros = 0;
        for (int j = Math.max(0, i - 3); j < Math.min(body.length, i + 5); j++) {
          zeros += body[j] == 0 ? 1 : 0;
        }
        if (zeros >= 2) {
          return "UTF-16 or UTF-32 from byte " + Math.max(0, i - 1) + ": zero bytes between its characters";
        }
      }
    }
    return null;
  }

  /** The body as one JSON object written over several lines; the exception says where it is not. */
  private static List<Event> oneObject(byte[] body, int start, KeyField keyField) throws MalformedBodyException {
    JsonParser[] parser = {null}; // where a limit stopped it: the limits' exceptions carry no location
    try (JsonParser p = JSON.createParser(body)) {
      parser[0] = p;
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new MalformedBodyException("expected a JSON array of events or NDJSON (one JSON object per line)");
      }
      String key = readObject(p, keyField);
      int to = (int) p.currentLocation().getByteOffset();
      if (p.nextToken() != null) {
        throw new MalformedBodyException("unexpected content after the object, at line "
            + p.currentTokenLocation().getLineNr() + " (NDJSON has one object per line)");
      }
      return List.of(event(Arrays.copyOfRange(body, start, to), key, "the event"));
    } catch (JsonParseException e) {
      throw new MalformedBodyException("malformed JSON at line " + e.getLocation().getLineNr() + ", column "
          + e.getLocation().getColumnNr() + ": " + readable(e));
    } catch (IOException e) {
      throwIfTooLong(e);
      throw new MalformedBodyException("unreadable body" + at(e, parser[0]) + ": " + readable(e));
    }
  }

  /** Whether the body's first line is a whole JSON object by itself (so the body is meant as NDJSON). */
  private static boolean firstLineIsAnObject(byte[] body, int start) {
    int end = start;
    while (end < body.length && body[end] != '\n') {
      end++;
    }
    try (JsonParser p = JSON.createParser(body, start, end - start)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return false;
      }
      readObject(p, null);
      return true; // whatever follows it on the line, the sender wrote an object per line
    } catch (IOException e) {
      return false;
    }
  }

  private static List<Event> array(byte[] body, KeyField keyField) throws MalformedBodyException {
    List<Event> events = new ArrayList<>();
    JsonParser[] parser = {null}; // where a limit stopped it: the limits' exceptions carry no location
    try (JsonParser p = JSON.createParser(body)) {
      parser[0] = p;
      p.nextToken(); // START_ARRAY
      JsonToken t;
      while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
        if (t == null) {
          throw new MalformedBodyException("the array is not closed");
        }
        if (t != JsonToken.START_OBJECT) {
          throw new MalformedBodyException("element " + (events.size() + 1) + " of the array (counting from 1) is"
              + " not a JSON object");
        }
        int from = (int) p.currentTokenLocation().getByteOffset();
        String key = readObject(p, keyField);
        int to = (int) p.currentLocation().getByteOffset();
        events.add(event(Arrays.copyOfRange(body, from, to), key, "element " + (events.size() + 1)
            + " of the array (counting from 1)"));
      }
      if (p.nextToken() != null) {
        throw new MalformedBodyException("unexpected content after the array");
      }
    } catch (JsonParseException e) {
      // inside an element (it was opened but not added): name it, as the other refusals of an element do
      String element = parser[0] != null && parser[0].getParsingContext().getNestingDepth() > 1
          ? "element " + (events.size() + 1) + " of the array (counting from 1): " : "";
      throw new MalformedBodyException(element + "malformed JSON at line " + e.getLocation().getLineNr()
          + ", column " + e.getLocation().getColumnNr() + ": " + readable(e));
    } catch (IOException e) {
      throwIfTooLong(e);
      throw new MalformedBodyException("unreadable body" + at(e, parser[0]) + ": " + readable(e));
    }
    return events;
  }

  /**
   * A string longer than the parser allows (the validator's limit, as long as an event may be) makes its event too
   * large: a 413 as for any event over the limit, not a malformed body.
   */
  private static void throwIfTooLong(IOException e) throws EventTooLargeException {
    if (e instanceof com.fasterxml.jackson.core.exc.StreamConstraintsException
        && String.valueOf(e.getMessage()).contains("String value length")) {
      throw new EventTooLargeException("an event holds a string longer than " + MAX_EVENT_BYTES
          + " characters; one event may be at most " + MAX_EVENT_BYTES + " bytes (nothing of this body was"
          + " accepted)");
    }
  }

  private static Event event(byte[] bytes, String key, String which) throws EventTooLargeException {
    if (bytes.length > MAX_EVENT_BYTES) {
      throw new EventTooLargeException(which + " is " + bytes.length + " bytes; one event may be at most "
          + MAX_EVENT_BYTES + " bytes (nothing of this body was accepted)");
    }
    return new Event(bytes, key);
  }

  private static List<Event> lines(byte[] body, KeyField keyField) throws MalformedBodyException {
    List<Event> events = new ArrayList<>();
    int line = 0;
    int from = 0;
    while (from < body.length) {
      int to = from;
      while (to < body.length && body[to] != '\n') {
        to++;
      }
      line++;
      int end = to;
      while (end > from && Character.isWhitespace(body[end - 1])) {
        end--;
      }
      int begin = from;
      while (begin < end && Character.isWhitespace(body[begin])) {
        begin++;
      }
      if (begin < end) {
        byte[] bytes = Arrays.copyOfRange(body, begin, end);
        events.add(event(bytes, lineKey(bytes, line, keyField), "the event on line " + line));
      }
      from = to + 1;
    }
    if (events.isEmpty()) {
      throw new MalformedBodyException("the body has no events");
    }
    return events;
  }

  private static String lineKey(byte[] bytes, int line, KeyField keyField) throws MalformedBodyException {
    JsonParser[] parser = {null};
    try (JsonParser p = JSON.createParser(bytes)) {
      parser[0] = p;
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new MalformedBodyException("line " + line + " is not a JSON object");
      }
      String key = readObject(p, keyField);
      if (p.nextToken() != null) {
        // typically NDJSON whose newlines were lost on the way (curl -d strips them; --data-binary keeps them)
        throw new MalformedBodyException("line " + line + " has content after its JSON object"
            + (p.currentToken() == JsonToken.START_OBJECT ? ": NDJSON needs one event per line (curl -d drops"
                + " newlines; send files with --data-binary)" : ""));
      }
      return key;
    } catch (JsonParseException e) {
      // the line was parsed alone: Jackson's "starting at line 1" is this line
      throw new MalformedBodyException("malformed JSON on line " + line + ", column " + e.getLocation().getColumnNr()
          + ": " + readable(e).replace("at line 1, column", "at line " + line + ", column"));
    } catch (IOException e) {
      throwIfTooLong(e);
      throw new MalformedBodyException("line " + line + " is unreadable" + at(e, parser[0])
          .replace(" at line 1,", " at") + ": " + readable(e));
    }
  }

  /** Reads the object the parser is at (START_OBJECT) to its end, returning the top-level key field's value. */
  private static String readObject(JsonParser p, KeyField keyField) throws IOException {
    String key = null;
    JsonToken t;
    while ((t = p.nextToken()) != JsonToken.END_OBJECT) {
      if (t == null) {
        throw new JsonParseException(p, "the object is not closed");
      }
      String name = p.currentName();
      JsonToken value = p.nextToken();
      if (value == JsonToken.START_OBJECT || value == JsonToken.START_ARRAY) {
        skipNested(p);
      } else if (keyField != null && keyField.name().equals(name) && value.isScalarValue()
          && value != JsonToken.VALUE_NULL) {
        key = keyField.form().apply(p.getText());
      }
    }
    return key;
  }

  /**
   * Skips the object or array the parser is at, a member of an event's top level, refusing one that takes the event
   * deeper than {@link #MAX_EVENT_DEPTH}: the same limit whether the event came alone, on an NDJSON line or in an
   * array.
   */
  private static void skipNested(JsonParser p) throws IOException {
    int depth = 2; // the event's object is level 1
    while (depth > 1) {
      JsonToken t = p.nextToken();
      if (t == null) {
        return; // cut off: the caller says the object is not closed
      }
      if (t.isStructStart() && ++depth > MAX_EVENT_DEPTH) {
        throw new JsonParseException(p, "nesting depth " + depth + " exceeds the maximum allowed ("
            + MAX_EVENT_DEPTH + " levels of objects and arrays in an event)");
      } else if (t.isStructEnd()) {
        depth--;
      }
    }
  }

  /** " at line L, column C" where the parser stopped (a limit such as the nesting depth), when known. */
  private static String at(IOException e, JsonParser parser) {
    com.fasterxml.jackson.core.JsonLocation where = e instanceof com.fasterxml.jackson.core.JsonProcessingException jpe
        && jpe.getLocation() != null ? jpe.getLocation() : parser == null ? null : parser.currentLocation();
    return where == null || where.getLineNr() < 1 ? ""
        : " at line " + where.getLineNr() + ", column " + where.getColumnNr();
  }

  /** The failure worded for the sender (no Jackson source descriptions or setting names). */
  private static String readable(IOException e) {
    String message = e instanceof com.fasterxml.jackson.core.JsonProcessingException jpe
        ? jpe.getOriginalMessage() : e.getMessage();
    return message == null ? e.getClass().getSimpleName() : io.lakemesh.contracts.JsonMessages.readable(message);
  }
}
