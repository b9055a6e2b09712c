package io.lakemesh.runtime.cli;

import io.lakemesh.contracts.Problem;
import io.lakemesh.contracts.model.Contract;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code lakemesh contract explain}: what contracts yield (Iceberg schema, partition spec, field checks, rules,
 * roles, SLAs), file by file; a directory stands for its contract files, as for {@code lint}.
 *
 * <p>Exit codes: 0 explained; 1 a contract is invalid (its problems are listed as {@code lint} lists them, the
 * others are still explained); 2 bad usage (no such file, no contract files in a directory).
 */
@Command(name = "explain", mixinStandardHelpOptions = true,
    description = "Show what data contracts yield: the Iceberg schema and partition spec, the checks each field "
        + "gets, the row and batch rules with their severity, the primary key, stage, roles and SLAs.")
public final class ContractExplainCommand implements Callable<Integer> {

  @Spec
  private CommandSpec spec;

  @Parameters(arity = "1..*", paramLabel = "<file|dir>",
      description = "Contract files (ODCS v3.1 YAML or JSON), or directories of them.")
  private List<Path> paths;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    java.util.Optional<List<Path>> found = ContractFiles.named("explain", paths, err, false);
    if (found.isEmpty()) {
      return 2;
    }
    List<Path> files = found.get();
    // linted first, all of them: a contract the parser accepts may still fail to yield a partition spec or
    // validator, and majors of one product in different files run side by side (older ones as <id>@v<major>)
    List<ContractLinter.Result> linted = files.stream().map(ContractLinter::lint).toList();
    java.util.Map<String, Integer> newestMajor = new java.util.HashMap<>();
    linted.stream().filter(r -> r.problems().isEmpty()).flatMap(r -> r.products().stream()).forEach(c ->
        newestMajor.merge(c.id(), io.lakemesh.runtime.product.Product.majorOf(c.version()), Math::max));
    int invalid = 0;
    for (int i = 0; i < files.size(); i++) {
      if (i > 0) {
        out.println();
      }
      invalid += explain(files.get(i), linted.get(i), newestMajor, out, err) ? 0 : 1;
    }
    return invalid == 0 ? 0 : 1;
  }

  /** The roles, SLAs and servers of a contract without products: what it says, though nothing runs it. */
  private static void whatItHolds(Path file, PrintWriter out) {
    com.fasterxml.jackson.databind.JsonNode doc;
    try {
      doc = io.lakemesh.contracts.ContractParser.document(file);
    } catch (java.io.IOException e) {
      return; // it linted clean a moment ago; nothing more to say than the line above
    }
    List<String> lines = new java.util.ArrayList<>();
    doc.path("roles").forEach(r -> lines.add("  role " + r.path("role").asText()
        + (r.hasNonNull("access") ? " (access " + r.path("access").asText() + ")" : " (no access: grants nothing)")));
    doc.path("slaProperties").forEach(sla -> lines.add("  sla " + sla.path("property").asText() + " "
        + sla.path("value").asText() + (sla.hasNonNull("unit") ? " " + sla.path("unit").asText() : "")
        + (sla.hasNonNull("element") ? " (" + sla.path("element").asText() + ")" : "")));
    doc.path("servers").forEach(server -> lines.add("  server " + server.path("server").asText() + " ("
        + server.path("type").asText() + ")"));
    if (!lines.isEmpty()) {
      out.println("It holds (these apply to a contract's products; it has none):");
      lines.forEach(out::println);
    }
  }

  /** Explains one file; false when it is not a valid contract (its problems are printed instead). */
  private static boolean explain(Path file, ContractLinter.Result linted, java.util.Map<String, Integer> newestMajor,
      PrintWriter out, PrintWriter err) {
    List<Problem> problems = linted.problems();
    if (!problems.isEmpty()) {
      for (Problem problem : problems) {
        out.println(ContractLintCommand.line(file, problem));
      }
      err.println("explain: " + file + " is not a valid contract (" + problems.size() + " problem"
          + (problems.size() == 1 ? "" : "s") + "); see above");
      return false;
    }
    List<Contract> products = linted.products();
    if (products.isEmpty()) {
      out.println(file + ": a valid ODCS contract with no schema objects: it describes no data product to run");
      whatItHolds(file, out);
    }
    for (int i = 0; i < products.size(); i++) {
      if (i > 0) {
        out.println();
      }
      Contract product = products.get(i);
      ContractExplanation.of(product, newestMajor.get(product.id())).forEach(out::println);
    }
    return true;
  }
}
