package io.lakemesh.contracts.policy;

import io.lakemesh.contracts.Problem;
import io.lakemesh.contracts.cel.InvalidExpressionException;
import io.lakemesh.contracts.model.Contract;
import io.lakemesh.contracts.model.Field;
import io.lakemesh.contracts.model.Stage;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/** Reads the access policy from a contract's roles, noting every problem with its JSON pointer. */
final class PolicyReader {
  static final String ACTIONS = "lakemeshActions";
  static final String ROW_FILTER = "lakemeshRowFilter";
  static final String MASKS = "lakemeshMasks";
  private static final Set<String> KEYS = Set.of(ACTIONS, ROW_FILTER, MASKS);

  record Result(List<RoleAccess> roles, Map<String, String> classifiedColumns, List<Problem> problems) {}

  private final Contract contract;
  private final byte[] hashSalt;
  private final Map<String, String> classifiedColumns;
  private final List<Problem> problems = new ArrayList<>();
  /**
   * Reading one product of a contract of several tables to serve it: the roles were judged over all the tables
   * (lint), so what only this table lacks is no mistake here. A mask of a classification it does not have masks
   * nothing, ingest on a derived product grants nothing, and a row filter over columns it does not have shows no
   * row (closed, not open).
   */
  private final boolean oneOfSeveral;
  private RowFilterEnvironment filters;

  private PolicyReader(Contract contract, byte[] hashSalt, boolean oneOfSeveral) {
    this.contract = contract;
    this.hashSalt = hashSalt;
    this.oneOfSeveral = oneOfSeveral;
    this.classifiedColumns = classifiedColumns(contract.table().fields());
  }

  /** The policy as lint judges it: every problem, also those only this product of several tables has. */
  static Result read(Contract contract, byte[] hashSalt) {
    return read(contract, hashSalt, false);
  }

  /** The policy as a node serves it; see {@link #oneOfSeveral}. */
  static Result serve(Contract contract, byte[] hashSalt) {
    return read(contract, hashSalt, contract.document() != null && contract.document().path("schema").size() > 1);
  }

  private static Result read(Contract contract, byte[] hashSalt, boolean oneOfSeveral) {
    PolicyReader reader = new PolicyReader(contract, hashSalt, oneOfSeveral);
    List<RoleAccess> roles = reader.roles();
    return new Result(roles, reader.classifiedColumns, List.copyOf(reader.problems));
  }

  private List<RoleAccess> roles() {
    List<RoleAccess> roles = new ArrayList<>();
    Set<String> names = new HashSet<>();
    List<Contract.RoleGrant> grants = contract.roles();
    for (int i = 0; i < grants.size(); i++) {
      Contract.RoleGrant grant = grants.get(i);
      String path = "/roles/" + i;
      if (grant.role() == null || grant.role().isBlank()) {
        problems.add(new Problem(path + "/role", "a role needs a name"));
        continue;
      }
      if (!names.add(grant.role())) {
        problems.add(new Problem(path + "/role", "duplicate role '" + grant.role() + "': declare each role once"));
        continue;
      }
      roles.add(role(grant, path));
    }
    return roles;
  }

  private RoleAccess role(Contract.RoleGrant grant, String path) {
    Set<Action> actions = null;
    String actionsPath = path + "/access";
    Optional<RowAccessFilter> filter = Optional.empty();
    String filterPath = null;
    Map<String, ColumnMask> masks = Map.of();
    String masksPath = null;
    Set<String> seen = new HashSet<>();
    List<Contract.CustomProperty> custom = grant.customProperties();
    for (int j = 0; j < custom.size(); j++) {
      Contract.CustomProperty p = custom.get(j);
      String propertyPath = path + "/customProperties/" + j;
      if (!p.property().startsWith("lakemesh")) {
        continue; // someone else's extension: not ours to judge
      }
      if (!KEYS.contains(p.property())) {
        problems.add(new Problem(propertyPath + "/property", "unknown Lakemesh role property '" + p.property()
            + "' (known: " + ACTIONS + ", " + ROW_FILTER + ", " + MASKS + ")"));
        continue;
      }
      if (!seen.add(p.property())) {
        problems.add(new Problem(propertyPath + "/property", p.property() + " is given twice for role '"
            + grant.role() + "'"));
        continue;
      }
      String valuePath = propertyPath + "/value";
      switch (p.property()) {
        case ACTIONS -> {
          actions = actions(p.value(), valuePath);
          actionsPath = valuePath;
        }
        case ROW_FILTER -> {
          filter = rowFilter(grant.role(), p.value(), valuePath);
          filterPath = valuePath;
        }
        default -> {
          masks = masks(p.value(), valuePath);
          masksPath = valuePath;
        }
      }
    }
    if (actions == null && !seen.contains(ACTIONS)) {
      // ODCS's access is optional free text: without one Lakemesh enforces, the role grants nothing (deny by
      // default), which lint says as a note (AccessPolicy.notes), not as a mistake in a valid document
      actions = Action.ofOdcsAccess(grant.access()).orElse(EnumSet.noneOf(Action.class));
    }
    if (actions == null) {
      // lakemeshActions is unusable, a problem reported: judging filters and masks against it would only add noise
      return new RoleAccess(grant.role(), Set.of(), filter, masks);
    }
    if (actions.contains(Action.INGEST) && contract.stage() != Stage.SOURCE && oneOfSeveral) {
      actions = EnumSet.copyOf(actions);
      actions.remove(Action.INGEST); // the contract's source products take the role's events
    } else if (actions.contains(Action.INGEST) && contract.stage() != Stage.SOURCE) {
      problems.add(new Problem(actionsPath, "role '" + grant.role() + "' grants ingest, but a "
          + contract.stage().odcsName() + " product is derived" + (contract.settings().upstream() == null ? ""
          : " from " + contract.settings().upstream()) + " and takes no events"));
    }
    if (!actions.contains(Action.READ)) {
      if (filterPath != null) {
        problems.add(new Problem(filterPath, "role '" + grant.role() + "' does not read, so a row filter has"
            + " nothing to filter"));
      }
      if (masksPath != null) {
        problems.add(new Problem(masksPath, "role '" + grant.role() + "' does not read, so masks have nothing to"
            + " mask"));
      }
    }
    return new RoleAccess(grant.role(), actions, filter, masks);
  }

  /** The actions listed, or null when the list is unusable (each problem noted). */
  private Set<Action> actions(Object value, String path) {
    if (!(value instanceof List<?> list)) {
      problems.add(new Problem(path, ACTIONS + " is a list of read, ingest, admin, e.g. [read, ingest]"));
      return null;
    }
    if (list.isEmpty()) {
      problems.add(new Problem(path, "an empty " + ACTIONS + " grants nothing: list at least one of read, ingest,"
          + " admin"));
      return null;
    }
    Set<Action> actions = EnumSet.noneOf(Action.class);
    boolean valid = true;
    for (int k = 0; k < list.size(); k++) {
      Object item = list.get(k);
      Optional<Action> action = item instanceof String s ? Action.of(s) : Optional.empty();
      if (action.isEmpty()) {
        problems.add(new Problem(path + "/" + k, "unknown action '" + item + "' (read, ingest, admin)"));
        valid = false;
      } else {
        actions.add(action.get());
      }
    }
    return valid ? actions : null;
  }

  private Optional<RowAccessFilter> rowFilter(String role, Object value, String path) {
    if (!(value instanceof String expression) || expression.isBlank()) {
      problems.add(new Problem(path, ROW_FILTER + " is a CEL expression over row and claims, e.g."
          + " 'row.region == claims.region'"));
      return Optional.empty();
    }
    if (filters == null) {
      filters = RowFilterEnvironment.forFields(contract.table().fields());
    }
    try {
      return Optional.of(filters.compile(expression));
    } catch (InvalidExpressionException e) {
      if (oneOfSeveral) {
        try {
          return Optional.of(filters.compile("false")); // written for another table of the contract: no row here
        } catch (InvalidExpressionException impossible) {
          throw new IllegalStateException("the constant false does not compile", impossible);
        }
      }
      problems.add(new Problem(path, "row filter of role '" + role + "' does not compile to a bool over row and"
          + " claims: " + e.getMessage().replace('\n', ' ')));
      return Optional.empty();
    }
  }

  private Map<String, ColumnMask> masks(Object value, String path) {
    if (!(value instanceof Map<?, ?> map)) {
      problems.add(new Problem(path, MASKS + " maps a classification to a mask, e.g. {restricted: hash}"));
      return Map.of();
    }
    // roles are the contract's, for every table of it: a classification any of them has is a fitting mask
    Set<String> known = new TreeSet<>(classifiedColumns.values());
    if (contract.document() != null) {
      for (com.fasterxml.jackson.databind.JsonNode object : contract.document().path("schema")) {
        collectClassifications(object, known);
      }
    }
    Map<String, ColumnMask> masks = new LinkedHashMap<>();
    for (Map.Entry<?, ?> e : map.entrySet()) {
      String classification = AccessPolicy.normalize(String.valueOf(e.getKey()));
      String entryPath = path + "/" + escape(String.valueOf(e.getKey()));
      Optional<ColumnMask> mask = e.getValue() instanceof String name
          ? ColumnMask.parse(name, hashSalt) : Optional.empty();
      if (mask.isEmpty()) {
        problems.add(new Problem(entryPath, "unknown mask '" + e.getValue() + "' (hash, redact, null, last-N e.g."
            + " last-4)"));
      }
      if (!known.contains(classification) && !oneOfSeveral) {
        problems.add(new Problem(entryPath, "no property has classification '" + e.getKey() + "', so this mask"
            + " masks nothing" + (known.isEmpty() ? "" : " (classifications in this contract: "
            + String.join(", ", known) + ")")));
      }
      if (masks.containsKey(classification)) {
        problems.add(new Problem(entryPath, "classification '" + e.getKey() + "' has two masks"));
      }
      mask.ifPresent(m -> masks.put(classification, m));
    }
    return masks;
  }

  /**
   * Classified columns by path: {@code a} for a top-level column, {@code a.b} inside an object, {@code a[]} for an
   * array's elements and {@code a[].b} inside them (the paths quality rules use).
   */
  private static Map<String, String> classifiedColumns(List<Field> fields) {
    Map<String, String> columns = new LinkedHashMap<>();
    for (Field f : fields) {
      collect(f, f.name(), columns);
    }
    return columns;
  }

  private static void collect(Field f, String path, Map<String, String> columns) {
    if (f.classification() != null && !f.classification().isBlank()) {
      columns.put(path, AccessPolicy.normalize(f.classification()));
    }
    for (Field child : f.properties()) {
      collect(child, path + "." + child.name(), columns);
    }
    if (f.items() != null) {
      collect(f.items(), path + "[]", columns);
    }
  }

  /** The classifications of a schema object's properties as written, at any depth. */
  private static void collectClassifications(com.fasterxml.jackson.databind.JsonNode node, Set<String> into) {
    for (com.fasterxml.jackson.databind.JsonNode property : node.path("properties")) {
      if (property.path("classification").isTextual() && !property.path("classification").asText().isBlank()) {
        into.add(AccessPolicy.normalize(property.path("classification").asText()));
      }
      collectClassifications(property, into);
    }
    if (node.path("items").isObject()) {
      com.fasterxml.jackson.databind.JsonNode items = node.path("items");
      if (items.path("classification").isTextual() && !items.path("classification").asText().isBlank()) {
        into.add(AccessPolicy.normalize(items.path("classification").asText()));
      }
      collectClassifications(items, into);
    }
  }

  /** A map key as a JSON-pointer token (RFC 6901). */
  private static String escape(String token) {
    return token.replace("~", "~0").replace("/", "~1");
  }
}
