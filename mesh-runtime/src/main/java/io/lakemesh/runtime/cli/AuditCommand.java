package io.lakemesh.runtime.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code lakemesh audit}: work with the audit trail; the work itself is in its subcommands. */
@Command(name = "audit",
    mixinStandardHelpOptions = true,
    description = "Check the tamper-evident audit trail.",
    subcommands = {AuditVerifyCommand.class})
public final class AuditCommand implements Runnable {

  @Spec
  private CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "Missing subcommand: one of "
        + String.join(", ", spec.subcommands().keySet()));
  }
}
