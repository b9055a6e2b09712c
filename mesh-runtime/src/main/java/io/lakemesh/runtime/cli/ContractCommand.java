package io.lakemesh.runtime.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code lakemesh contract}: work with data contract files; the work itself is in its subcommands. */
@Command(name = "contract",
        mixinStandardHelpOptions = true,
        description = "Check data contracts (ODCS v3.1) before they are deployed.",
        subcommands = {ContractLintCommand.class, ContractDiffCommand.class, ContractExplainCommand.class})
public final class ContractCommand implements Runnable {

    @Spec
    private CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "Missing subcommand: one of "
                + String.join(", ", spec.subcommands().keySet()));
    }
}
