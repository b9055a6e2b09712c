package io.lakemesh.contracts;

import java.util.List;
import java.util.stream.Collectors;

/** A contract that is refused, with every problem found (not only the first). */
public final class InvalidContractException extends Exception {
  private final String source;
  private final List<Problem> problems;

  public InvalidContractException(String source, List<Problem> problems) {
    super(source + ": " + problems.size() + " problem(s)\n"
        + problems.stream().map(p -> "  " + p).collect(Collectors.joining("\n")));
    this.source = source;
    this.problems = List.copyOf(problems);
  }

  /** Several refused files at once, each with its problems, so that one start shows all of them. */
  public InvalidContractException(List<InvalidContractException> files) {
    super(files.size() + " contract files are refused\n" + files.stream().map(Throwable::getMessage)
        .collect(Collectors.joining("\n")));
    this.source = files.size() + " contract files";
    this.problems = files.stream().flatMap(f -> f.problems().stream()).toList();
  }

  public String source() {
    return source;
  }

  public List<Problem> problems() {
    return problems;
  }
}
