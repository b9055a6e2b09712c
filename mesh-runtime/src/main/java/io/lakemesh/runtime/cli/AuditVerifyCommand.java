package io.lakemesh.runtime.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.lakemesh.runtime.security.audit.AuditChain;
import io.lakemesh.runtime.security.audit.AuditTable;
import io.lakemesh.runtime.storage.Warehouse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code lakemesh audit verify}: reads the audit table (safe while a node runs: it only reads committed
 * snapshots), recomputes the hash chain in sequence order and prints one line, OK with the count or the first bad
 * entry with its seq and why. Exit 0 intact, 1 tampered, 2 no audit table, or one that cannot be read whole.
 */
@Command(name = "verify", mixinStandardHelpOptions = true,
    description = "Recompute the audit hash chain; name the first edited, deleted, inserted or reordered entry.")
public final class AuditVerifyCommand implements Callable<Integer> {

  @Option(names = "--home", description = "State directory of the node (env LAKEMESH_HOME, default ./.lakemesh)")
  Path home;

  @Option(names = "--expect-head", paramLabel = "SEQ:HASH", description = "A head recorded elsewhere (the seq and"
      + " hash an earlier OK line printed, e.g. 1234:5f0c1d2e9a7b3c44): the chain must still reach it. Catches a"
      + " table cut back to an older state, which is intact by itself.")
  String expectHead;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() {
    Optional<AuditChain.Head> recorded = Optional.empty();
    if (expectHead != null) {
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d{1,18}):([0-9a-f]{16,64})")
          .matcher(expectHead.trim().toLowerCase(java.util.Locale.ROOT));
      if (!m.matches() || Long.parseLong(m.group(1)) < 1) {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--expect-head takes SEQ:HASH, the seq"
            + " and head an OK line printed (e.g. 1234:5f0c1d2e9a7b3c44, 16 to 64 hex digits), not '" + expectHead
            + "'");
      }
      recorded = Optional.of(new AuditChain.Head(Long.parseLong(m.group(1)), m.group(2)));
    }
    Config config = ConfigFactory.load();
    Path dir = home != null ? home : Path.of(config.getString("lakemesh.home"));
    Config catalogProps = config.getConfig("lakemesh.catalog.properties");
    if (catalogProps.isEmpty() && !Files.isRegularFile(dir.resolve("catalog.db"))) {
      spec.commandLine().getErr().println("lakemesh: no Lakemesh catalog in " + dir.toAbsolutePath()
          + " (use --home)");
      return 2;
    }
    try (Warehouse warehouse = catalogProps.isEmpty() ? Warehouse.openLocal(dir) : Warehouse.open(props(catalogProps))) {
      AuditChain.Verdict verdict;
      try {
        Optional<AuditTable> table = AuditTable.openExisting(warehouse);
        if (table.isEmpty()) {
          spec.commandLine().getErr().println("lakemesh: no audit table " + AuditTable.ID + " in "
              + dir.toAbsolutePath());
          return 2;
        }
        verdict = table.get().verify(recorded);
      } catch (RuntimeException e) {
        // not a verdict (a verdict is returned, never thrown): the table or the chain could not be read whole (its
        // metadata or a data file missing or damaged, the catalog unreachable): neither intact nor shown tampered
        spec.commandLine().getErr().println("lakemesh: the audit table cannot be read, so it is not verified: "
            + e.getMessage() + " (a catalog copied without the warehouse files of the same moment, or a file"
            + " removed: compare with a backup of both)");
        return 2;
      }
      (verdict.ok() ? spec.commandLine().getOut() : spec.commandLine().getErr()).println(verdict.line());
      spec.commandLine().getOut().flush();
      return verdict.ok() ? 0 : 1;
    }
  }

  private static Map<String, String> props(Config c) {
    Map<String, String> props = new HashMap<>();
    c.entrySet().forEach(e -> props.put(e.getKey(), e.getValue().unwrapped().toString()));
    return props;
  }
}
