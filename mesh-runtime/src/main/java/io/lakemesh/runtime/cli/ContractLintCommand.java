package io.lakemesh.runtime.cli;

import io.lakemesh.contracts.Problem;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
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
    List<String> missing = paths.stream().filter(p -> !Files.exists(p)).map(Path::toString).toList();
    if (!missing.isEmpty()) {
      err.println("lint: no such file or directory: " + String.join(", ", missing));
      return 2;
    }
    List<Path> files = new ArrayList<>();
    try {
      for (Path p : paths) {
        if (Files.isDirectory(p)) {
          List<Path> skipped = new ArrayList<>();
          files.addAll(contractsUnder(p, skipped));
          // as the node does: it loads only contract files, and says which others it leaves alone
          skipped.forEach(f -> err.println("lint: skipped " + f + ": contract files are named *.odcs.yaml,"
              + " *.odcs.yml or *.odcs.json (name it explicitly to lint it anyway)"));
        } else {
          files.add(p); // named explicitly: linted whatever its extension
        }
      }
    } catch (UncheckedIOException e) {
      err.println("lint: " + e.getMessage());
      return 2;
    }
    if (files.isEmpty()) {
      err.println("lint: no contract files (*.odcs.yaml, *.odcs.yml, *.odcs.json) in " + String.join(", ",
          paths.stream().map(Path::toString).toList()));
      return 2;
    }
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
      if (found.isEmpty()) {
        found = upstreams.problems(linted.products(), files.size() > 1,
            note -> err.println("lint: note: " + file + ": " + note));
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

  /**
   * Contract files under a directory ({@code *.odcs.yaml}, {@code *.odcs.yml}, {@code *.odcs.json}, what a node
   * loads), in a stable order; other YAML and JSON files go to {@code skipped}.
   */
  static List<Path> contractsUnder(Path dir, List<Path> skipped) {
    List<Path> found = new ArrayList<>();
    try {
      Files.walkFileTree(dir, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) {
          String name = d.getFileName() == null ? "" : d.getFileName().toString();
          // build output holds copies of the contracts; hidden directories hold tool state
          boolean skip = !d.equals(dir) && (name.startsWith(".") || name.equals("target"));
          return skip ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) {
          String name = f.getFileName().toString().toLowerCase(Locale.ROOT);
          if (attrs.isRegularFile()
              && (name.endsWith(".odcs.yaml") || name.endsWith(".odcs.yml") || name.endsWith(".odcs.json"))) {
            found.add(f);
          } else if (attrs.isRegularFile()
              && (name.endsWith(".yaml") || name.endsWith(".yml") || name.endsWith(".json"))) {
            skipped.add(f);
          }
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read directory " + dir + ": " + e.getMessage(), e);
    }
    found.sort(null);
    skipped.sort(null);
    return found;
  }
}
