package io.lakemesh.contracts;

import io.lakemesh.contracts.model.Contract;
import java.util.List;

/**
 * A check of a contract that needs more than this module has, e.g. an SQL engine to bind {@code sql} quality rules.
 * Implementations are found with {@link java.util.ServiceLoader} (a {@code META-INF/services} entry) and run by
 * {@link ContractParser} after the built-in checks pass, so a node refuses at start what {@code lint} refuses,
 * whichever modules are on the class path.
 */
public interface ContractCheck {

  /** Every problem found, each at the JSON pointer of the key it is about; empty when the contract is fine. */
  List<Problem> problems(Contract contract);

  /** What it checks, as lint names it when it could not run (e.g. {@code "the sql quality rules"}). */
  default String checks() {
    return "some checks";
  }
}
