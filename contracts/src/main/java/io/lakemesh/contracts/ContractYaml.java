package io.lakemesh.contracts;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.util.StringQuotingChecker;
import java.io.UncheckedIOException;

/**
 * Writes a contract document back as YAML, the form contracts are written in, so a deployed contract can be fetched
 * and compared with {@code lakemesh contract diff} or edited. Reading the text back gives the same document: strings
 * that YAML would read as another type ({@code "10"}, {@code "true"}, {@code "null"}) stay quoted.
 */
public final class ContractYaml {
  private static final ObjectMapper YAML = new ObjectMapper(YAMLFactory.builder()
      .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
      .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
      .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
      // rules and descriptions span lines: kept as literal blocks, readable as written
      .enable(YAMLGenerator.Feature.LITERAL_BLOCK_STYLE)
      .disable(YAMLGenerator.Feature.SPLIT_LINES)
      .stringQuotingChecker(new LineBreaksQuoted())
      .build());

  /**
   * YAML 1.1 (SnakeYAML, which reads contracts) takes NEL, LS and PS for line breaks, and a line break inside a
   * single-quoted string folds into a space: a string holding one is written double-quoted, where it is escaped.
   * And a YAML 1.1 reader (PyYAML) takes {@code 2026-11-27} for a date and {@code 12:30} for the number 750: a string
   * that starts as a number does (a digit, or a sign or point before one) is quoted too.
   */
  private static final class LineBreaksQuoted extends StringQuotingChecker.Default {
    @Override
    public boolean needToQuoteValue(String value) {
      return super.needToQuoteValue(value) || value.chars().anyMatch(LineBreaksQuoted::foldable)
          || startsAsNumber(value);
    }

    /** 12:30, 2026-11-27, -1:30, +5, .5: what a YAML 1.1 reader may take for a number, a date or a time. */
    private static boolean startsAsNumber(String value) {
      int digit = !value.isEmpty() && "+-.".indexOf(value.charAt(0)) >= 0 ? 1 : 0;
      return value.length() > digit && Character.isDigit(value.charAt(digit));
    }

    private static boolean foldable(int c) {
      return c == '\u0085' || c == '\u2028' || c == '\u2029' || c == '\r';
    }
  }

  private ContractYaml() {}

  /** The document as YAML text. */
  public static String write(JsonNode document) {
    try {
      return YAML.writeValueAsString(document);
    } catch (JsonProcessingException e) {
      // a tree of JSON values always has a YAML form
      throw new UncheckedIOException(e);
    }
  }
}
