package io.lakemesh.contracts.evolution;

import io.lakemesh.contracts.model.Contract;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The difference between the running version of a contract and a proposed one, with the verdict of the evolution
 * gate. Immutable; built by {@link #compare(Contract, Contract)}.
 *
 * <p>Compatible: adding an optional field (also inside objects and array items), Iceberg's safe type promotions
 * (int to long, float to double, a wider decimal of the same scale), making a field optional, widening a range or
 * an enum, documentation (descriptions, tags, rule text), and access that only narrows (a role removed or losing an
 * action, a row filter added, a mask added or made stronger). Breaking: removing or retyping a field, adding a
 * required field, making a field required, narrowing a range, a pattern or an enum, changing the primary key, the
 * partitioning, the Kafka partition count, the stage, the upstream or the transformation, adding a rule that keeps
 * data out (or making a rule one: severity error on a row rule, critical on a batch rule), and access that widens
 * (see {@link PolicyChanges}). A higher major version is always {@link Verdict#NEW_MAJOR}: it runs beside the old
 * one with tables of its own, breaking changes allowed; a change of product id or domain never is allowed. Changes
 * under the same version are flagged.
 *
 * @param changes in document order
 */
public record ContractDiff(Contract running, Contract proposed, List<Change> changes, Verdict verdict) {

  public ContractDiff {
    Objects.requireNonNull(running, "running");
    Objects.requireNonNull(proposed, "proposed");
    Objects.requireNonNull(verdict, "verdict");
    changes = List.copyOf(changes);
  }

  /** Compares a proposed contract with the running one. */
  public static ContractDiff compare(Contract running, Contract proposed) {
    List<Change> changes = ChangeDetector.changes(running, proposed);
    return new ContractDiff(running, proposed, changes, verdict(running, proposed, changes));
  }

  private static Verdict verdict(Contract running, Contract proposed, List<Change> changes) {
    boolean otherProduct = changes.stream().anyMatch(c -> c.kind().changesProductIdentity());
    if (otherProduct || changes.stream().anyMatch(c -> c.kind().changesRouting())) {
      return Verdict.BREAKING; // not even beside the running version: see outcome(..)
    }
    // a new major always runs beside the old one, with tables of its own, whatever changed (the runtime does so)
    if (majorGoesUp(running.version(), proposed.version())) {
      return Verdict.NEW_MAJOR;
    }
    return changes.stream().anyMatch(Change::breaking) ? Verdict.BREAKING : Verdict.COMPATIBLE;
  }

  /** True when something other than the version changed but the version did not: consumers cannot tell. */
  public boolean versionNotRaised() {
    Optional<SemanticVersion> a = SemanticVersion.parse(running.version());
    Optional<SemanticVersion> b = SemanticVersion.parse(proposed.version());
    // only the three numbers count: 1.0.0+build.7 raises nothing over 1.0.0
    boolean same = a.isPresent() && b.isPresent() ? a.get().compareTo(b.get()) == 0
        : Objects.equals(running.version(), proposed.version());
    return same && changes.stream().anyMatch(c -> c.kind() != ChangeKind.VERSION_CHANGED);
  }

  private static boolean majorGoesUp(String running, String proposed) {
    Optional<SemanticVersion> a = SemanticVersion.parse(running);
    Optional<SemanticVersion> b = SemanticVersion.parse(proposed);
    return a.isPresent() && b.isPresent() && b.get().major() > a.get().major();
  }

  public List<Change> breakingChanges() {
    return changes.stream().filter(Change::breaking).toList();
  }

  /** The kinds of change that decide who reads what. */
  private static final java.util.Set<ChangeKind> ACCESS = java.util.EnumSet.of(ChangeKind.ROLE_ADDED,
      ChangeKind.ROLE_ACCESS_CHANGED, ChangeKind.ROW_FILTER_CHANGED, ChangeKind.MASK_CHANGED);

  /**
   * The changes of a {@link Verdict#NEW_MAJOR} that widen access (a role added or gaining actions, a row filter
   * removed or loosened, a mask removed or weakened): allowed, but the new major fills its tables from the raw log's
   * whole history, so the widened roles read all of it. Empty for any other verdict (refused, or not widening).
   */
  public List<Change> accessWidenedByNewMajor() {
    return verdict != Verdict.NEW_MAJOR ? List.of()
        : breakingChanges().stream().filter(c -> ACCESS.contains(c.kind())).toList();
  }

  public List<Change> compatibleChanges() {
    return changes.stream().filter(c -> !c.breaking()).toList();
  }

  public boolean isCompatible() {
    return verdict == Verdict.COMPATIBLE;
  }

  /**
   * The verdict, the changes (breaking first) and what happens next, one per line, e.g.
   *
   * <pre>
   * BREAKING  retail.transactions 1.0.0 -&gt; 1.1.0: 1 breaking change, 1 compatible
   *   breaking    field 'customer_id' (string) is removed: readers of it break
   *   compatible  optional field 'channel' (string) is added
   * refused: a breaking change needs a new major version (2.0.0), which runs beside 1.0.0
   * </pre>
   */
  public String render() {
    return render(nextMajor());
  }

  /**
   * As {@link #render()}, naming {@code freeMajor} as the version a breaking change needs: on a node where a newer
   * major of the contract already runs, the next major is taken.
   */
  public String render(String freeMajor) {
    StringBuilder out = new StringBuilder();
    out.append(verdict.label()).append("  ").append(running.id()).append(' ').append(running.version())
        .append(" -> ");
    if (!Objects.equals(running.id(), proposed.id())) {
      out.append(proposed.id()).append(' ');
    }
    out.append(proposed.version()).append(": ").append(counts()).append('\n');
    changes.stream()
        .sorted(Comparator.comparing(c -> !c.breaking()))
        .forEach(c -> out.append("  ").append(c.breaking() ? "breaking  " : "compatible").append("  ")
            .append(c.description()).append('\n'));
    out.append(outcome(freeMajor)).append('\n');
    if (!accessWidenedByNewMajor().isEmpty()) {
      out.append("review: ").append(proposed.version()).append(" widens access (").append(
          accessWidenedByNewMajor().size()).append(" of the changes above) and fills its tables from the raw log's"
          + " whole history: the roles it widens will read all of it, not only what arrives from now on; have the"
          + " data's owner approve it\n");
    }
    if (verdict == Verdict.COMPATIBLE && proposed.stage() == io.lakemesh.contracts.model.Stage.SOURCE
        && changes.stream().anyMatch(c -> c.kind() == ChangeKind.TYPE_PROMOTED || c.kind() == ChangeKind.MADE_OPTIONAL)) {
      // a gold product's columns are planned against its upstream's types: a wider value may not fit them
      out.append("note: gold products over ").append(proposed.id()).append(" are checked against the new types at"
          + " deploy: lint this file together with theirs (lakemesh contract lint <directory>) to check them now\n");
    }
    if (versionNotRaised() && verdict == Verdict.COMPATIBLE) {
      out.append("warning: version ").append(running.version()).append(" is not raised; raise the minor version (")
          .append(nextMinor()).append(") so consumers can tell the contracts apart\n");
    }
    return out.toString();
  }

  /** How many changes of each kind, e.g. "1 breaking change, 2 compatible", or "no changes". */
  public String counts() {
    if (changes.isEmpty()) {
      return "no changes";
    }
    int breaking = breakingChanges().size();
    int compatible = changes.size() - breaking;
    if (breaking == 0) {
      return compatible + " compatible change" + (compatible == 1 ? "" : "s");
    }
    return breaking + " breaking change" + (breaking == 1 ? "" : "s") + (compatible == 0 ? "" : ", " + compatible
        + " compatible");
  }

  private String outcome(String freeMajor) {
    return switch (verdict) {
      case COMPATIBLE -> changes.isEmpty()
          ? "nothing to deploy"
          : "deploys in place: the tables evolve without rewriting data";
      case NEW_MAJOR -> "runs beside " + running.version() + " as a new major version of " + running.id()
          + ", with tables of its own (served as " + running.id() + "; the old one as " + running.id() + "@v"
          + SemanticVersion.parse(running.version()).map(v -> String.valueOf(v.major())).orElse("?") + ")";
      case BREAKING -> changes.stream().anyMatch(c -> c.kind().changesProductIdentity())
          ? "refused: '" + proposed.id() + "' of domain '" + proposed.domain() + "' is another product; deploy it"
              + " as a new product"
          : changes.stream().anyMatch(c -> c.kind() == ChangeKind.ROUTING_CHANGED)
              ? "refused, also as a new major version: keep the first primary-key column (and its type) of "
                  + running.id() + ", or publish the new key as another product"
          : changes.stream().anyMatch(c -> c.kind() == ChangeKind.KAFKA_PARTITIONS_CHANGED)
              ? "refused, also as a new major version: every major version of " + running.id() + " reads its one"
                  + " raw topic, whose partition count cannot change without moving keys; keep lakemeshPartitions ("
                  + running.settings().partitions() + "), or publish the new partitioning as another product"
          : changes.stream().filter(Change::breaking).allMatch(c -> c.kind() == ChangeKind.VERSION_CHANGED)
              ? "refused: the version goes back; raise it above " + running.version() + " (e.g. " + nextMinor()
                  + ")"
          : versionNotRaised()
              ? "refused: the version is not raised (still " + running.version() + ") and a breaking change needs a"
                  + " new major version (" + freeMajor + "), which runs beside " + running.version()
              : "refused: a breaking change needs a new major version (" + freeMajor
                  + "), which runs beside " + running.version();
    };
  }

  private String nextMinor() {
    return SemanticVersion.parse(running.version())
        .map(v -> v.major() + "." + (v.minor() + 1) + ".0")
        .orElse("a higher minor version");
  }

  private String nextMajor() {
    return SemanticVersion.parse(running.version())
        .map(v -> (v.major() + 1) + ".0.0")
        .orElse("a higher major version");
  }

  /** The first line of {@link #render()}; the contracts themselves are left out. */
  @Override
  public String toString() {
    String rendered = render();
    return "ContractDiff[" + rendered.substring(0, rendered.indexOf('\n')) + "]";
  }
}
