package io.lakemesh.contracts.validate;

import java.util.List;
import org.apache.iceberg.data.GenericRecord;

/** The verdict on one event: a typed row (maybe with warnings), or the reasons it is rejected. */
public sealed interface Outcome {

  List<Violation> warnings();

  /** The event meets its contract; {@code row} matches the contract's Iceberg schema. */
  record Accepted(GenericRecord row, List<Violation> warnings) implements Outcome {}

  /** The event breaks at least one error-severity check; it goes to quarantine with these reasons. */
  record Rejected(List<Violation> errors, List<Violation> warnings) implements Outcome {}
}
