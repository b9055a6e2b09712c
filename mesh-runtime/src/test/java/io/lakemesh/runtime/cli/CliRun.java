package io.lakemesh.runtime.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/**
 * Runs one command on its own, as its parent CLI would, and keeps what it printed: a usage error is one line on
 * stderr and exit code 2, like every Lakemesh command.
 */
record CliRun(int exitCode, String out, String err) {

  static CliRun execute(Object command, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = new CommandLine(command)
        .setOut(new PrintWriter(out, true))
        .setErr(new PrintWriter(err, true))
        .setParameterExceptionHandler((error, ignored) -> {
          CommandLine failed = error.getCommandLine();
          failed.getErr().println(failed.getCommandName() + ": " + error.getMessage() + " (see --help)");
          return failed.getCommandSpec().exitCodeOnInvalidInput();
        });
    int exitCode = cli.execute(args);
    return new CliRun(exitCode, out.toString(), err.toString());
  }
}
