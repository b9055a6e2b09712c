package io.lakemesh.runtime.cli;

import io.lakemesh.contracts.Problem;
import io.lakemesh.contracts.model.Contract;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code lakemesh contract explain}: what one contract yields (Iceberg schema, partition spec, field checks, rules,
 * roles, SLAs).
 *
 * <p>Exit codes: 0 explained; 1 the contract is invalid (its problems are listed as {@code lint} lists them);
 * 2 bad usage (no such file).
 */
@Command(name = "explain", mixinStandardHelpOptions = true,
    description = "Show what a data contract yields: the Iceberg schema and partition spec, the checks each field "
        + "gets, the row and batch rules with their severity, the primary key, stage, roles and SLAs.")
public final class ContractExplainCommand implements Callable<Integer> {

  @Spec
  private CommandSpec spec;

  @Parameters(index = "0", paramLabel = "<file>", description = "A contract file (ODCS v3.1 YAML or JSON).")
  private Path file;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (!Files.isRegularFile(file)) {
      err.println("explain: " + (Files.isDirectory(file) ? "a directory, not a contract file: " : "no such file: ")
          + file);
      return 2;
    }
    // linted first: a contract the parser accepts may still fail to yield a partition spec or validator
    ContractLinter.Result linted = ContractLinter.lint(file);
    List<Problem> problems = linted.problems();
    if (!problems.isEmpty()) {
      for (Problem problem : problems) {
        out.println(ContractLintCommand.line(file, problem));
      }
      err.println("explain: " + file + " is not a valid contract (" + problems.size() + " problem"
          + (problems.size() == 1 ? "" : "s") + "); see above");
      return 1;
    }
    List<Contract> products = linted.products();
    if (products.isEmpty()) {
      out.println(file + ": a valid ODCS contract with no schema objects: it describes no data product to run");
    }
    for (int i = 0; i < products.size(); i++) {
      if (i > 0) {
        out.println();
      }
      ContractExplanation.of(products.get(i)).forEach(out::println);
    }
    return 0;
  }
}
