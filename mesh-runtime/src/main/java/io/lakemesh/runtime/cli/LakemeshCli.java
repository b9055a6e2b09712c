package io.lakemesh.runtime.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code lakemesh} command line. */
@Command(name = "lakemesh", mixinStandardHelpOptions = true, version = "lakemesh 0.1.0",
    description = "Actor-based reactive data mesh: data products on Kafka and Iceberg.",
    subcommands = {UpCommand.class, TokenCommand.class, SimulateCommand.class, ContractCommand.class,
        AuditCommand.class})
public final class LakemeshCli {

  private LakemeshCli() {}

  /** Every subcommand lists -V/--version (picocli's standard options): each prints the version, as the top does. */
  static CommandLine withVersionEverywhere(CommandLine cli) {
    String[] version = cli.getCommandSpec().version();
    cli.getSubcommands().values().forEach(sub -> {
      sub.getCommandSpec().version(version);
      withVersionEverywhere(sub);
    });
    return cli;
  }

  public static void main(String[] args) {
    CommandLine cli = withVersionEverywhere(new CommandLine(new LakemeshCli()));
    // one clear line for a failure, not a stack trace; --verbose style detail goes to the log
    cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      Throwable root = e;
      while (root.getCause() != null && root.getMessage() == null) {
        root = root.getCause();
      }
      commandLine.getErr().println("lakemesh: " + (e.getMessage() != null ? e.getMessage() : root.toString()));
      return 1;
    });
    // a usage error is one line and a hint, not the whole usage text
    cli.setParameterExceptionHandler((e, a) -> {
      e.getCommandLine().getErr().println("lakemesh: " + e.getMessage() + " (see '"
          + e.getCommandLine().getCommandSpec().qualifiedName() + " --help')");
      return 2;
    });
    int code = cli.execute(args);
    System.exit(code);
  }
}
