package io.lakemesh.runtime.cli;

import io.lakemesh.contracts.ContractParser;
import io.lakemesh.contracts.InvalidContractException;
import io.lakemesh.contracts.Problem;
import io.lakemesh.contracts.evolution.ContractDiff;
import io.lakemesh.contracts.evolution.Verdict;
import io.lakemesh.contracts.model.Contract;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code lakemesh contract diff OLD NEW}: the evolution gate from the command line. Prints the verdict and every
 * change; exit 0 when NEW deploys (compatible, or a higher major version), 1 when it is breaking or a file is not a
 * valid contract, 2 on bad usage.
 */
@Command(name = "diff",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
                "Compare a proposed contract with the running one.",
                "Prints COMPATIBLE (the tables evolve in place), BREAKING (refused on the same major version) or "
                        + "NEW MAJOR (a higher major version: runs beside the running one), then every change, "
                        + "breaking ones first; a change under an unchanged version is flagged."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
                "0:compatible, or a higher major version (breaking changes allowed)",
                "1:breaking on the same major version, or a file is not a valid contract",
                "2:bad usage (missing or unreadable file, wrong arguments)"})
public final class ContractDiffCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "OLD", description = "The running contract (.odcs.yaml).")
    private Path running;

    @Parameters(index = "1", paramLabel = "NEW", description = "The proposed contract (.odcs.yaml).")
    private Path proposed;

    @Override
    public Integer call() {
        requireReadable(running);
        requireReadable(proposed);
        PrintWriter err = spec.commandLine().getErr();
        List<String> problems = new ArrayList<>();
        Contract old = parse(running, problems);
        Contract next = parse(proposed, problems);
        if (!problems.isEmpty()) {
            problems.forEach(err::println);
            err.flush();
            return 1;
        }
        ContractDiff diff = ContractDiff.compare(old, next);
        PrintWriter out = spec.commandLine().getOut();
        out.print(diff.render());
        out.flush();
        return diff.verdict() == Verdict.BREAKING ? 1 : 0;
    }

    private void requireReadable(Path file) {
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new ParameterException(spec.commandLine(), "cannot read contract file '" + file + "'");
        }
    }

    /** The contract, or null with one line per problem added to {@code problems}. */
    private static Contract parse(Path file, List<String> problems) {
        try {
            return ContractParser.parse(file);
        } catch (InvalidContractException e) {
            for (Problem p : e.problems()) {
                // one line per problem, whatever the parser quoted from the file
                problems.add((file + ": " + p).replaceAll("\\s*\\R\\s*", " "));
            }
            return null;
        }
    }
}
