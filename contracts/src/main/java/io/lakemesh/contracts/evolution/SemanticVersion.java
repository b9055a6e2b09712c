package io.lakemesh.contracts.evolution;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The numeric part of a contract {@code version} ({@code 1.2.3}, {@code v2}, {@code 1.0.0-rc1}). */
record SemanticVersion(int major, int minor, int patch) implements Comparable<SemanticVersion> {
  private static final Pattern FORM = Pattern.compile("\\s*[vV]?(\\d+)(?:\\.(\\d+))?(?:\\.(\\d+))?(?:[-+].*)?\\s*");

  static Optional<SemanticVersion> parse(String text) {
    if (text == null) {
      return Optional.empty();
    }
    Matcher m = FORM.matcher(text);
    if (!m.matches()) {
      return Optional.empty();
    }
    try {
      return Optional.of(new SemanticVersion(Integer.parseInt(m.group(1)), number(m.group(2)), number(m.group(3))));
    } catch (NumberFormatException tooLong) {
      return Optional.empty();
    }
  }

  private static int number(String group) {
    return group == null ? 0 : Integer.parseInt(group);
  }

  @Override
  public int compareTo(SemanticVersion other) {
    int c = Integer.compare(major, other.major);
    if (c == 0) {
      c = Integer.compare(minor, other.minor);
    }
    return c != 0 ? c : Integer.compare(patch, other.patch);
  }
}
