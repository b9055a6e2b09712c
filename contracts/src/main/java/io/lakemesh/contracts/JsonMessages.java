package io.lakemesh.contracts;

import java.util.regex.Pattern;

/**
 * Jackson's parser messages worded for the person who wrote the document or sent the body: without what only a
 * Jackson user can act on. Used for contracts (lint, start) and for ingest bodies alike.
 */
public final class JsonMessages {
  /** A nested location: "[Source: REDACTED; line: 1, column: 1]" becomes "line 1, column 1". */
  private static final Pattern SOURCE_LOCATION = Pattern.compile("\\[Source: [^;]*; line: (\\d+), column: (\\d+)]");
  /** Names of parser settings and features: "(64, from `StreamReadConstraints.getMaxNestingDepth()`)". */
  private static final Pattern SETTING = Pattern.compile(
      ",? from `[^`]*`|\\s*\\(`[^`]*` disabled\\)|:? ?enable `[^`]*` to allow|`[^`]*`");

  private JsonMessages() {}

  /** The message on one line, without source descriptions or setting names; empty for null. */
  public static String readable(String jacksonMessage) {
    if (jacksonMessage == null) {
      return "";
    }
    String what = SOURCE_LOCATION.matcher(jacksonMessage).replaceAll("line $1, column $2");
    what = SETTING.matcher(what).replaceAll("");
    return what.replaceAll("\\s*\\R\\s*", " ").strip();
  }
}
