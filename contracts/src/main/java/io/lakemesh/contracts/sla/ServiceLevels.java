package io.lakemesh.contracts.sla;

import io.lakemesh.contracts.Problem;
import io.lakemesh.contracts.model.Contract;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The service levels a contract promises, from its ODCS {@code slaProperties}. Lakemesh monitors two of them:
 *
 * <ul>
 *   <li>{@code freshness}: the newest committed data is at most this old (checked against the product's last
 *       commit);
 *   <li>{@code latency}: an accepted event is queryable within this time.
 * </ul>
 *
 * <p>Both are a {@code value} with a {@code unit}: {@code ms}, {@code s}, {@code m}/{@code min}, {@code h},
 * {@code d}, {@code w} or their names ({@code seconds}, {@code day}, {@code days}, …); a fractional value is fine
 * ({@code 1.5} h). A value without a unit may be an ISO-8601 duration ({@code PT5M}). Every other SLA property
 * (retention, frequency, availability, …) is kept as written in {@link #others()}.
 */
public final class ServiceLevels {
  public static final String FRESHNESS = "freshness";
  public static final String LATENCY = "latency";

  private final Duration freshness;
  private final String freshnessElement;
  private final Duration latency;
  private final List<Contract.SlaProperty> others;

  private ServiceLevels(Duration freshness, String freshnessElement, Duration latency,
      List<Contract.SlaProperty> others) {
    this.freshness = freshness;
    this.freshnessElement = freshnessElement;
    this.latency = latency;
    this.others = List.copyOf(others);
  }

  /**
   * The service levels of a contract.
   *
   * @throws IllegalArgumentException when an SLA property cannot be read (never for a parsed contract)
   */
  public static ServiceLevels of(Contract contract) {
    Reading r = read(contract);
    if (!r.problems.isEmpty()) {
      throw new IllegalArgumentException("invalid slaProperties in " + contract.id() + ": "
          + r.problems.stream().map(Problem::toString).collect(Collectors.joining("; ")));
    }
    return r.levels;
  }

  /** Every problem of the contract's SLA properties, by JSON pointer; empty when they are valid. */
  public static List<Problem> problems(Contract contract) {
    return read(contract).problems;
  }

  public Optional<Duration> freshness() {
    return Optional.ofNullable(freshness);
  }

  /** The element freshness is measured on, as the contract names it (e.g. {@code transactions.ts}), if given. */
  public Optional<String> freshnessElement() {
    return Optional.ofNullable(freshnessElement);
  }

  public Optional<Duration> latency() {
    return Optional.ofNullable(latency);
  }

  /** A duration as the product's stats and SLA sentences write it: {@code 500ms}, {@code 1.5s}, {@code 3m 5s}. */
  public static String format(Duration d) {
    return SlaDurations.format(d);
  }

  /** SLA properties other than freshness and latency, as written. */
  public List<Contract.SlaProperty> others() {
    return others;
  }

  /**
   * Checks freshness: breached when the last commit is older than the objective at {@code now}.
   *
   * @param lastCommit when the product last committed; a product that never committed passes the time it started,
   *     so the clock runs from then
   */
  public SlaVerdict evaluateFreshness(Instant lastCommit, Instant now) {
    Objects.requireNonNull(lastCommit, "lastCommit (pass the start time when nothing has been committed yet)");
    Objects.requireNonNull(now, "now");
    Duration age = Duration.between(lastCommit, now);
    if (age.isNegative()) {
      age = Duration.ZERO; // a commit stamped by a clock ahead of ours is as fresh as it gets
    }
    if (freshness == null) {
      return new SlaVerdict(FRESHNESS, SlaVerdict.Status.NOT_DECLARED, null, age,
          "no freshness objective declared; last commit " + SlaDurations.format(age) + " ago");
    }
    return verdict(FRESHNESS, freshness, age, "last commit " + SlaDurations.format(age) + " ago");
  }

  /** Checks latency: breached when the observed ingest-to-queryable time exceeds the objective. */
  public SlaVerdict evaluateLatency(Duration observed) {
    Objects.requireNonNull(observed, "observed");
    if (latency == null) {
      return new SlaVerdict(LATENCY, SlaVerdict.Status.NOT_DECLARED, null, observed,
          "no latency objective declared; observed " + SlaDurations.format(observed));
    }
    return verdict(LATENCY, latency, observed, "observed " + SlaDurations.format(observed));
  }

  private static SlaVerdict verdict(String property, Duration objective, Duration observed, String what) {
    String limit = SlaDurations.format(objective);
    if (observed.compareTo(objective) > 0) {
      return new SlaVerdict(property, SlaVerdict.Status.BREACHED, objective, observed, property + " breached: "
          + what + ", " + SlaDurations.format(observed.minus(objective)) + " over the " + limit + " objective");
    }
    return new SlaVerdict(property, SlaVerdict.Status.MET, objective, observed, property + " met: " + what
        + ", within the " + limit + " objective");
  }

  @Override
  public String toString() {
    return "ServiceLevels[freshness=" + freshness().map(SlaDurations::format).orElse("-") + ", latency="
        + latency().map(SlaDurations::format).orElse("-") + ", others=" + others.size() + "]";
  }

  private record Reading(ServiceLevels levels, List<Problem> problems) {}

  private static Reading read(Contract contract) {
    List<Problem> problems = new ArrayList<>();
    Duration freshness = null;
    String freshnessElement = null;
    Duration latency = null;
    List<Contract.SlaProperty> others = new ArrayList<>();
    List<Contract.SlaProperty> properties = contract.slaProperties();
    for (int i = 0; i < properties.size(); i++) {
      Contract.SlaProperty p = properties.get(i);
      if (aboutAnotherObject(p, contract)) {
        continue; // the product of the object it names has it
      }
      String path = "/slaProperties/" + i;
      String name = p.property() == null ? "" : p.property().trim().toLowerCase(Locale.ROOT);
      if (!name.equals(FRESHNESS) && !name.equals(LATENCY)) {
        others.add(p);
        continue;
      }
      if ((name.equals(FRESHNESS) && freshness != null) || (name.equals(LATENCY) && latency != null)) {
        problems.add(new Problem(path + "/property", name + " is declared twice"));
        continue;
      }
      Duration d = duration(p, path, problems);
      if (name.equals(FRESHNESS)) {
        freshness = d;
        freshnessElement = p.element();
      } else {
        latency = d;
      }
    }
    return new Reading(new ServiceLevels(freshness, freshnessElement, latency, others), problems);
  }

  /**
   * Whether an SLA property's {@code element} ({@code <object>.<property>}) names another schema object of the
   * contract than this product's: the contract's SLAs apply to each of its products, except one that says which
   * object it is about.
   */
  private static boolean aboutAnotherObject(Contract.SlaProperty p, Contract contract) {
    if (p.element() == null || !p.element().contains(".") || contract.document() == null) {
      return false;
    }
    String object = p.element().substring(0, p.element().indexOf('.')).trim();
    if (object.equalsIgnoreCase(contract.table().name())) {
      return false;
    }
    for (com.fasterxml.jackson.databind.JsonNode o : contract.document().path("schema")) {
      if (object.equalsIgnoreCase(o.path("name").asText())) {
        return true;
      }
    }
    return false;
  }

  private static Duration duration(Contract.SlaProperty p, String path, List<Problem> problems) {
    String name = p.property().trim();
    String value = p.value();
    if (value == null || value.isBlank()) {
      problems.add(new Problem(path + "/value", name + " needs a value, e.g. value: 60 with unit: s"));
      return null;
    }
    Duration d;
    if (p.unit() == null || p.unit().isBlank()) {
      d = SlaDurations.iso(value).orElse(null);
      if (d == null) {
        problems.add(new Problem(path + "/unit", name + " needs a unit (" + SlaDurations.KNOWN + "), or a value"
            + " that is an ISO-8601 duration such as PT5M"));
        return null;
      }
    } else {
      Optional<Long> unit = SlaDurations.nanosPerUnit(p.unit());
      if (unit.isEmpty()) {
        problems.add(new Problem(path + "/unit", "unknown unit '" + p.unit() + "' for " + name + " (" 
            + SlaDurations.KNOWN + ")"));
        return null;
      }
      BigDecimal amount;
      try {
        amount = new BigDecimal(value.trim());
      } catch (NumberFormatException e) {
        problems.add(new Problem(path + "/value", name + " needs a number of " + p.unit() + ", not '" + value
            + "'"));
        return null;
      }
      d = SlaDurations.of(amount, unit.get()).orElse(null);
      if (d == null) {
        problems.add(new Problem(path + "/value", name + " of " + value + " " + p.unit() + " is too long"));
        return null;
      }
    }
    if (d.isNegative() || d.isZero()) {
      problems.add(new Problem(path + "/value", name + " must be longer than zero, not " + value
          + (p.unit() == null ? "" : " " + p.unit())));
      return null;
    }
    if (d.compareTo(Duration.ofMillis(1)) < 0) {
      // commits are timed in milliseconds: a shorter objective could never be met, nor written in the stats
      problems.add(new Problem(path + "/value", name + " must be at least 1 ms, not " + value
          + (p.unit() == null ? "" : " " + p.unit())));
      return null;
    }
    return d;
  }
}
