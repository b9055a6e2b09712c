package io.lakemesh.runtime.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class EventSplitterTest {

  private static String refusal(String body, boolean ndjson) {
    return assertThrows(EventSplitter.MalformedBodyException.class,
        () -> EventSplitter.split(body.getBytes(StandardCharsets.UTF_8), ndjson, "id")).getMessage();
  }

  @Test
  void limitsAndSyntaxErrorsAreWordedForTheSenderNotForAJacksonUser() {
    String deep = "[{\"id\":\"1\",\"x\":" + "[".repeat(100) + "]".repeat(100) + "}]";
    for (String message : new String[] {refusal(deep, false), refusal(deep.substring(1, deep.length() - 1), true),
        refusal("[{\"id\":\"1\",}]", false), refusal("{\"id\":\"1\"\n{\"id\":", true),
        refusal("[{\"id\":\"1\",\"a\":NaN}]", false), refusal("[{\"id\":\"1\",\"a\":+1}]", false)}) {
      assertFalse(message.contains("`"), message);
      assertFalse(message.contains("REDACTED"), message);
      assertFalse(message.contains("StreamReadConstraints"), message);
    }
    assertTrue(refusal(deep, false).contains("nesting depth"), refusal(deep, false));
    assertTrue(refusal(deep, false).startsWith("element 1 of the array (counting from 1): malformed JSON at line 1,"
        + " column "), refusal(deep, false));
    // NDJSON lines are parsed one by one: a location inside the message is on that line, not line 1
    String second = refusal("{\"id\":\"1\"}\n{\"id\":[1,2}\n", true);
    assertTrue(second.startsWith("malformed JSON on line 2, column ") && !second.contains("line 1"), second);
  }

  @Test
  void anEventMayNest64LevelsWhetherItComesAloneOnAnNdjsonLineOrInAnArray() throws Exception {
    // the validator reads each event alone, 64 levels at most: the array around events is not the event's
    String deepest = "{\"id\":\"1\",\"x\":" + "[".repeat(63) + "]".repeat(63) + "}";
    String tooDeep = "{\"id\":\"1\",\"x\":" + "[".repeat(64) + "]".repeat(64) + "}";
    for (String body : new String[] {deepest, deepest + "\n" + deepest + "\n", "[" + deepest + "," + deepest + "]"}) {
      assertFalse(EventSplitter.split(body.getBytes(StandardCharsets.UTF_8), body.endsWith("\n"), "id").isEmpty(),
          body);
    }
    for (String body : new String[] {tooDeep, deepest + "\n" + tooDeep + "\n", "[" + deepest + "," + tooDeep + "]"}) {
      String message = refusal(body, body.endsWith("\n"));
      assertTrue(message.contains("nesting depth 65 exceeds the maximum allowed (64 levels of objects and arrays in"
          + " an event)"), message);
    }
    assertTrue(refusal(deepest + "\n" + tooDeep + "\n", true).startsWith("malformed JSON on line 2, column "));
    String inArray = refusal("[" + deepest + "," + tooDeep + "]", false);
    assertTrue(inArray.startsWith("element 2 of the array (counting from 1): malformed JSON at line 1, column "),
        inArray);
  }

  @Test
  void aBodyInUtf16OrUtf32IsRefusedAsNotUtf8WhateverItsShape() {
    for (String body : new String[] {"[{\"id\":\"1\"}]", "{\"id\":\"1\"}", "{\"id\":\"1\"}\n{\"id\":\"2\"}\n",
        " [{}]"}) {
      for (String charset : new String[] {"UTF-16LE", "UTF-16BE", "UTF-16", "UTF-32LE", "UTF-32BE"}) {
        for (boolean ndjson : new boolean[] {false, true}) {
          String message = assertThrows(EventSplitter.MalformedBodyException.class,
              () -> EventSplitter.split(body.getBytes(java.nio.charset.Charset.forName(charset)), ndjson, "id"),
              charset + ": " + body).getMessage();
          assertTrue(message.startsWith("the body is not UTF-8 (it looks like UTF-16 or UTF-32"), message);
        }
      }
    }
    // wherever the UTF-16 text begins: after UTF-8 whitespace, or on a later line of UTF-8 NDJSON
    byte[] line = "{\"id\":\"2\"}".getBytes(java.nio.charset.StandardCharsets.UTF_16LE);
    for (byte[] prefix : new byte[][] {"      \n".getBytes(StandardCharsets.UTF_8),
        "{\"id\":\"1\"}\n".getBytes(StandardCharsets.UTF_8)}) {
      byte[] body = java.util.Arrays.copyOf(prefix, prefix.length + line.length);
      System.arraycopy(line, 0, body, prefix.length, line.length);
      String message = assertThrows(EventSplitter.MalformedBodyException.class,
          () -> EventSplitter.split(body, true, "id")).getMessage();
      assertTrue(message.contains("UTF-16 or UTF-32 from byte " + prefix.length), message);
    }
    // a lone zero byte in UTF-8 is the parser's to place
    assertTrue(refusal("[{\"id\":\"1\"}\u0000]", false).contains("code 0"), refusal("[{\"id\":\"1\"}\u0000]", false));
    // a byte order mark of UTF-16 alone says so too
    byte[] bom = {(byte) 0xFF, (byte) 0xFE, '[', ']'};
    assertTrue(assertThrows(EventSplitter.MalformedBodyException.class, () -> EventSplitter.split(bom, false, "id"))
        .getMessage().contains("byte order mark"));
  }

  @Test
  void bytesThatAreNoWellFormedUtf8AreRefusedWithTheirOffset() throws Exception {
    byte[] prefix = "[{\"id\":\"".getBytes(StandardCharsets.UTF_8);
    // an overlong '/', an encoded surrogate, a code point beyond U+10FFFF, a stray continuation byte, 0xFF
    for (byte[] bad : new byte[][] {{(byte) 0xC0, (byte) 0xAF}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
        {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, {(byte) 0x80}, {(byte) 0xFF}}) {
      java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
      body.write(prefix);
      body.write(bad);
      body.write("\"}]".getBytes(StandardCharsets.UTF_8));
      String message = assertThrows(EventSplitter.MalformedBodyException.class,
          () -> EventSplitter.split(body.toByteArray(), false, "id")).getMessage();
      assertTrue(message.startsWith("the body is not valid UTF-8 (on line 1): byte " + prefix.length + " (0x"),
          message);
    }
    // on an NDJSON body's second line: the line is named as well as the body's byte
    byte[] ndjson = "{\"id\":\"1\"}\n{\"id\":\"\u00ff\"}\n".getBytes(StandardCharsets.ISO_8859_1);
    String second = assertThrows(EventSplitter.MalformedBodyException.class,
        () -> EventSplitter.split(ndjson, true, "id")).getMessage();
    assertTrue(second.startsWith("the body is not valid UTF-8 (on line 2): byte 18 (0xFF)"), second);
    // well-formed text of every length is read as it is
    java.util.List<EventSplitter.Event> events = EventSplitter.split(
        "[{\"id\":\"é北🚀\uFFFD\"}]".getBytes(StandardCharsets.UTF_8), false, "id");
    assertEquals(1, events.size());
  }

  @Test
  void gzipDataTheEncodingDidNotAnnounceIsNamed() throws Exception {
    java.io.ByteArrayOutputStream zipped = new java.io.ByteArrayOutputStream();
    try (java.util.zip.GZIPOutputStream gzip = new java.util.zip.GZIPOutputStream(zipped)) {
      gzip.write("[{\"id\":\"1\"}]".getBytes(StandardCharsets.UTF_8));
    }
    String message = assertThrows(EventSplitter.MalformedBodyException.class,
        () -> EventSplitter.split(zipped.toByteArray(), false, "id")).getMessage();
    assertEquals("the body is gzip data, not JSON: compress it once and say so with Content-Encoding: gzip", message);
  }

  @Test
  void aNumberLongerThanTheValidatorReadsIsRefusedAtIngestNotQuarantinedLater() throws Exception {
    String message = refusal("[{\"id\":\"1\",\"amount\":" + "9".repeat(101) + "}]", false);
    assertTrue(message.contains("Number value length (101) exceeds the maximum allowed (100)"), message);
    assertFalse(message.contains("StreamReadConstraints"), message);
    assertEquals(1, EventSplitter.split(("[{\"id\":\"1\",\"amount\":" + "9".repeat(100) + "}]")
        .getBytes(StandardCharsets.UTF_8), false, "id").size());
  }

  @Test
  void anEventTooLargeForOneKafkaRecordRefusesTheWholeBody() {
    String big = "{\"id\":\"2\",\"blob\":\"" + "x".repeat(EventSplitter.MAX_EVENT_BYTES) + "\"}";
    EventSplitter.EventTooLargeException inArray = assertThrows(EventSplitter.EventTooLargeException.class,
        () -> EventSplitter.split(("[{\"id\":\"1\"}," + big + "]").getBytes(StandardCharsets.UTF_8), false, "id"));
    assertEquals("element 2 of the array (counting from 1) is 1000020 bytes; one event may be at most 1000000 bytes"
        + " (nothing of this body was accepted)", inArray.getMessage());
    EventSplitter.EventTooLargeException onLine = assertThrows(EventSplitter.EventTooLargeException.class,
        () -> EventSplitter.split(("{\"id\":\"1\"}\n" + big + "\n").getBytes(StandardCharsets.UTF_8), true, "id"));
    assertTrue(onLine.getMessage().startsWith("the event on line 2 is 1000020 bytes"), onLine.getMessage());
  }

  @Test
  void aStringLongerThanAnEventMayBeIsAnEventTooLargeNotMalformedJson() {
    String huge = "{\"id\":\"3\",\"blob\":\"" + "x".repeat(EventSplitter.MAX_EVENT_BYTES + 50_000) + "\"}";
    for (boolean ndjson : new boolean[] {false, true}) {
      byte[] body = (ndjson ? huge + "\n" : "[" + huge + "]").getBytes(StandardCharsets.UTF_8);
      EventSplitter.EventTooLargeException e = assertThrows(EventSplitter.EventTooLargeException.class,
          () -> EventSplitter.split(body, ndjson, "id"));
      assertTrue(e.getMessage().contains("one event may be at most 1000000 bytes"), e.getMessage());
    }
    // one object over several lines, the third way a body may hold an event
    assertThrows(EventSplitter.EventTooLargeException.class, () -> EventSplitter.split(
        huge.replace(",", ",\n").getBytes(StandardCharsets.UTF_8), false, "id"));
  }

  @Test
  void ndjsonWithItsNewlinesLostSaysSo() {
    String message = refusal("{\"id\":\"1\"}{\"id\":\"2\"}", true);
    assertTrue(message.contains("has content after its JSON object: NDJSON needs one event per line"), message);
  }

  @Test
  void anEmptyArrayIsNoEvents() throws Exception {
    assertEquals(0, EventSplitter.split("[ ]".getBytes(StandardCharsets.UTF_8), false, "id").size());
  }

  private static java.util.List<EventSplitter.Event> split(String body, boolean ndjson) throws Exception {
    return EventSplitter.split(body.getBytes(StandardCharsets.UTF_8), ndjson, "id");
  }

  @Test
  void theBodysFirstCharacterDecidesWhateverTheContentType() throws Exception {
    // an array sent as application/x-ndjson is still an array
    assertEquals(0, split("[]", true).size());
    assertEquals("7", split(" [{\"id\":7},{\"id\":8}]", true).get(0).key());
    // NDJSON, and one object on one line, either way
    assertEquals(2, split("{\"id\":1}\n{\"id\":2}\n", false).size());
    assertEquals(2, split("{\"id\":1}\n{\"id\":2}\n", true).size());
  }

  @Test
  void oneObjectMaySpanLinesAndIsKeptAsSent() throws Exception {
    String pretty = "{\n  \"id\": \"a5\",\n  \"ts\": \"2026-11-25T08:00:00Z\"\n}\n";
    java.util.List<EventSplitter.Event> events = split(pretty, true);
    assertEquals(1, events.size());
    assertEquals("\"a5\"", "\"" + events.get(0).key() + "\"");
    assertEquals(pretty.strip(), new String(events.get(0).bytes(), StandardCharsets.UTF_8));
    // two pretty-printed objects are neither NDJSON nor one object: the NDJSON reason is given
    assertTrue(refusal(pretty + pretty, true).contains("line"), refusal(pretty + pretty, true));
  }

  @Test
  void aByteOrderMarkIsNotPartOfTheFirstEvent() throws Exception {
    for (String body : new String[] {"\uFEFF{\"id\":1}", "\uFEFF{\n \"id\": 1\n}", "\uFEFF[{\"id\":1}]",
        "\uFEFF{\"id\":1}\n{\"id\":2}"}) {
      for (boolean ndjson : new boolean[] {true, false}) {
        java.util.List<EventSplitter.Event> events = split(body, ndjson);
        assertEquals("1", events.get(0).key(), body);
        assertEquals('{', new String(events.get(0).bytes(), StandardCharsets.UTF_8).charAt(0), body);
      }
    }
  }

  @Test
  void aRepeatedMemberNameIsRefusedAtAnyDepth() {
    for (String body : new String[] {"{\"id\":1,\"amount\":1,\"amount\":2}", "[{\"id\":1,\"a\":{\"b\":1,\"b\":2}}]",
        "{\"id\":1}\n{\"id\":2,\"x\":[{\"y\":1,\"y\":1}]}"}) {
      String why = refusal(body, false);
      assertTrue(why.contains("Duplicate"), body + ": " + why);
    }
    // pretty-printed: the repeat is reported where it is, not as line 1 ending early
    String pretty = "{\n  \"id\": 1,\n  \"a\": 1,\n  \"a\": 2\n}\n";
    for (boolean ndjson : new boolean[] {true, false}) {
      String why = refusal(pretty, ndjson);
      assertTrue(why.contains("Duplicate") && why.contains("line 4"), why);
    }
  }
}
