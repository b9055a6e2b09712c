package io.lakemesh.runtime.cli;

import io.lakemesh.contracts.Problem;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code lakemesh contract lint}: checks contract files the way a node checks them at start, and lists every
 * problem as {@code <file>: <json-pointer>: <reason>}.
 *
 * <p>Exit codes: 0 no problem; 1 at least one problem; 2 bad usage (a path that does not exist, nothing to lint).
 */
@Command(name = "lint", mixinStandardHelpOptions = true,
    description = {
        "Check data contracts (ODCS v3.1 plus Lakemesh's rules) and list every problem with its JSON pointer.",
        "A directory is searched for *.odcs.yaml, *.odcs.yml and *.odcs.json files, as a node loads them (other"
            + " YAML and JSON files are named as skipped; hidden and target/ directories are not searched)."})
public final class ContractLintCommand implements Callable<Integer> {

  @Spec
  private CommandSpec spec;

  @Parameters(arity = "1..*", paramLabel = "<file|dir>", description = "Contract files, or directories of them.")
  private List<Path> paths;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    java.util.Optional<List<Path>> named = ContractFiles.named("lint", paths, err, true);
    if (named.isEmpty()) {
      return 2;
    }
    List<Path> files = named.get();
    int withProblems = 0;
    int problems = 0;
    java.util.Map<org.apache.iceberg.catalog.TableIdentifier, String> tables = new java.util.HashMap<>();
    java.util.Map<Path, ContractLinter.Result> results = new java.util.LinkedHashMap<>();
    for (Path file : files) {
      results.put(file, ContractLinter.lint(file));
    }
    // a gold product is checked against its upstream: among the linted contracts, or those a node ships with
    ContractLinter.Upstreams upstreams = ContractLinter.Upstreams.of(
        results.values().stream().flatMap(r -> r.products().stream()).toList(),
        results.entrySet().stream().filter(e -> e.getValue().products().isEmpty())
            .map(e -> e.getKey().getFileName().toString()).toList());
    for (Path file : files) {
      ContractLinter.Result linted = results.get(file);
      List<Problem> found = linted.problems();
      if (found.isEmpty()) {
        found = ContractLinter.missingAggregations(linted.products());
      }
      if (found.isEmpty()) {
        found = ContractLinter.sharedTables(file, linted.products(), tables);
      }
      java.util.function.Consumer<String> note = n -> err.println("lint: note: " + file + ": " + n);
      if (found.isEmpty()) {
        found = upstreams.problems(linted.products(), files.size() > 1, note);
      } else if (!linted.products().isEmpty()) {
        // the notes of a file that parses but has problems of a later stage come now too, not only after the fix;
        // the upstream checks' own problems wait until the problems found first are fixed
        upstreams.problems(linted.products(), files.size() > 1, note);
      }
      for (Problem problem : found) {
        out.println(line(file, problem));
      }
      problems += found.size();
      withProblems += found.isEmpty() ? 0 : 1;
    }
    String contracts = files.size() == 1 ? "1 contract" : files.size() + " contracts";
    if (problems == 0) {
      out.println("lint: " + contracts + ", no problems");
      return 0;
    }
    out.println(String.format(Locale.ROOT, "lint: %s, %d with problems, %d problem%s", contracts, withProblems,
        problems, problems == 1 ? "" : "s"));
    return 1;
  }

  /**
   * {@code <file>: <json-pointer>: <reason>} on one line. Parser messages may span lines (YAML errors quote the
   * offending source with a caret under it): the quoted source goes, the sentences stay.
   */
  static String line(Path file, Problem problem) {
    String reason = problem.reason().lines()
        .filter(l -> !l.startsWith("    ") && !l.isBlank())
        .map(String::strip)
        .collect(java.util.stream.Collectors.joining(" "));
    return file + ": " + (problem.path().isEmpty() ? "/" : problem.path()) + ": " + reason;
  }
}
