package io.lakemesh.runtime.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The command line's standard options hold on every subcommand. */
class LakemeshCliTest {
  @Test
  void everySubcommandPrintsTheVersion() {
    for (String[] args : new String[][] {{"-V"}, {"simulate", "-V"}, {"token", "--version"}, {"up", "-V"},
        {"contract", "lint", "-V"}, {"audit", "verify", "-V"}}) {
      StringWriter out = new StringWriter();
      CommandLine cli = LakemeshCli.withVersionEverywhere(new CommandLine(LakemeshCli.class));
      cli.setOut(new PrintWriter(out));
      assertEquals(0, cli.execute(args), String.join(" ", args));
      assertEquals("lakemesh 0.1.0", out.toString().strip(), String.join(" ", args));
    }
  }
}
