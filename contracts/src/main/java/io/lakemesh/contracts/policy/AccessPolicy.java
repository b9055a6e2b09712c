package io.lakemesh.contracts.policy;

import io.lakemesh.contracts.Problem;
import io.lakemesh.contracts.model.Contract;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Who may do what with one data product, from the contract's ODCS {@code roles}. Lakemesh's details are each role's
 * {@code customProperties}:
 *
 * <ul>
 *   <li>{@code lakemeshActions}: {@code [read, ingest, admin]}, overriding what ODCS {@code access} implies
 *       ({@code read} → read, {@code write} → ingest, {@code read-write} → read + ingest);
 *   <li>{@code lakemeshRowFilter}: CEL over {@code row} and {@code claims}, e.g. {@code row.region ==
 *       claims.region}; a role without one reads every row;
 *   <li>{@code lakemeshMasks}: classification → mask ({@code hash}, {@code redact}, {@code last-N}, {@code
 *       null}), applied to every property whose ODCS {@code classification} it names.
 * </ul>
 *
 * <p>Deny by default: a role the contract does not name grants nothing on the product (platform-wide roles, such as
 * the dev admin, are the security layer's business, not the contract's).
 *
 * <p><b>Several roles.</b> A caller holding several roles may do every action one of them grants. For reading (see
 * {@link #reader(Collection)}), the caller sees the <em>union</em> of the rows its reading roles see, and each row
 * with the <em>least masking</em> among the roles that let the caller see that row: a column is in clear when one of
 * them leaves it in clear, otherwise it gets the most disclosing of their masks ({@link ColumnMask} orders them).
 * Masking is decided per row so that one role's clear view never extends to rows only another, masked, role grants.
 * Roles without the read action never widen what a caller reads.
 *
 * <p>Immutable and thread-safe; build it once per contract version.
 */
public final class AccessPolicy {
  private static final class DefaultSalt {
    private static final byte[] SALT = salt();

    private static byte[] salt() {
      byte[] salt = new byte[32];
      new SecureRandom().nextBytes(salt);
      return salt;
    }
  }

  private final String product;
  private final Map<String, RoleAccess> roles;
  private final Map<String, String> classifiedColumns;

  private AccessPolicy(String product, List<RoleAccess> roles, Map<String, String> classifiedColumns) {
    this.product = product;
    Map<String, RoleAccess> byName = new LinkedHashMap<>();
    roles.forEach(r -> byName.put(r.role(), r));
    this.roles = Collections.unmodifiableMap(byName);
    this.classifiedColumns = Collections.unmodifiableMap(new LinkedHashMap<>(classifiedColumns));
  }

  /**
   * The policy of a contract, hashing with a random salt made once per JVM: hashes agree within this process only.
   * Serving uses {@link #of(Contract, byte[])} with the deployment's secret salt, so they agree across nodes and
   * restarts.
   *
   * @throws IllegalArgumentException when the roles do not make a valid policy (never for a parsed contract)
   */
  public static AccessPolicy of(Contract contract) {
    return of(contract, DefaultSalt.SALT);
  }

  /** The policy of a contract, with {@code hash} masks salted by the deployment's secret {@code hashSalt}. */
  public static AccessPolicy of(Contract contract, byte[] hashSalt) {
    PolicyReader.Result result = PolicyReader.serve(contract, hashSalt);
    if (!result.problems().isEmpty()) {
      throw new IllegalArgumentException("invalid access policy in " + contract.id() + ": "
          + result.problems().stream().map(Problem::toString).collect(Collectors.joining("; ")));
    }
    return new AccessPolicy(contract.id(), result.roles(), result.classifiedColumns());
  }

  /** Every problem of the contract's access policy, by JSON pointer; empty when it is valid. */
  public static List<Problem> problems(Contract contract) {
    return PolicyReader.read(contract, new byte[0]).problems();
  }

  /**
   * The problems that keep a node from serving the policy ({@link #of} refuses them): of one table of a contract of
   * several, only those no table could serve; lint's {@link #problems} also names what fits only some tables.
   */
  public static List<Problem> servingProblems(Contract contract) {
    return PolicyReader.serve(contract, new byte[0]).problems();
  }

  /**
   * What a valid contract's roles leave ungranted, worth telling its author: a role without an ODCS {@code access}
   * Lakemesh enforces (none, or a word other than read, write, read-write) and without {@code lakemeshActions}
   * grants nothing, by JSON pointer.
   */
  public static List<String> notes(Contract contract) {
    List<String> notes = new java.util.ArrayList<>();
    List<Contract.RoleGrant> roles = contract.roles();
    for (int i = 0; i < roles.size(); i++) {
      Contract.RoleGrant grant = roles.get(i);
      if (grantsSomething(grant)) {
        continue;
      }
      notes.add("/roles/" + i + (grant.access() == null ? "" : "/access") + ": role '" + grant.role() + "' grants"
          + " nothing here (deny by default): " + (grant.access() == null ? "it has no access"
              : "access '" + grant.access() + "' is none Lakemesh enforces")
          + "; give it access read, write or read-write, or list its actions in lakemeshActions");
    }
    return notes;
  }

  /**
   * Whether a role grant can allow anything: an ODCS {@code access} Lakemesh enforces (read, write, read-write) or
   * actions listed in {@code lakemeshActions}; any other grant is deny by default.
   */
  public static boolean grantsSomething(Contract.RoleGrant grant) {
    return Action.ofOdcsAccess(grant.access()).isPresent()
        || grant.customProperties().stream().anyMatch(p -> "lakemeshActions".equals(p.property()));
  }

  /** The product the policy governs, e.g. {@code retail.transactions}. */
  public String product() {
    return product;
  }

  /** Every role the contract names, in contract order. */
  public List<RoleAccess> roles() {
    return List.copyOf(roles.values());
  }

  /** A role by name; empty when the contract does not name it (so it grants nothing). */
  public Optional<RoleAccess> role(String name) {
    return Optional.ofNullable(roles.get(name));
  }

  /**
   * The columns that carry a classification, by path ({@code a}, {@code a.b} inside objects, {@code a[]} and {@code
   * a[].b} for arrays), with their classification in lower case.
   */
  public Map<String, String> classifiedColumns() {
    return classifiedColumns;
  }

  /** Whether one of the caller's roles grants the action. */
  public boolean allows(Collection<String> callerRoles, Action action) {
    return callerRoles.stream().map(roles::get).anyMatch(r -> r != null && r.allows(action));
  }

  /** What a caller with these roles reads; empty when none of them grants read. */
  public Optional<ReadAccess> reader(Collection<String> callerRoles) {
    List<RoleAccess> readers = new ArrayList<>();
    for (RoleAccess r : roles.values()) {
      if (callerRoles.contains(r.role()) && r.allows(Action.READ)) {
        readers.add(r);
      }
    }
    return readers.isEmpty() ? Optional.empty() : Optional.of(new ReadAccess(readers, classifiedColumns));
  }

  /** A classification as masks are keyed by: trimmed, lower case ({@code PII} and {@code pii} are one). */
  public static String normalize(String classification) {
    return classification.trim().toLowerCase(Locale.ROOT);
  }

  @Override
  public String toString() {
    return "AccessPolicy[" + product + ", roles=" + roles.keySet() + "]";
  }
}
