package io.lakemesh.runtime.product;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Iceberg's refusals of a contract's table, said in the contract's terms. */
public final class IcebergMessages {
  private static final Pattern PARTITION_NAME_TAKEN =
      Pattern.compile("Cannot create partition from name that exists in schema: (\\S+)");

  private IcebergMessages() {}

  /** The message of {@code e}, with the cases a contract author can act on explained. */
  public static String readable(RuntimeException e) {
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().replace('\n', ' ');
    Matcher taken = PARTITION_NAME_TAKEN.matcher(message);
    if (taken.find()) {
      return "a property is named '" + taken.group(1) + "', the name Iceberg gives a partition field of this"
          + " contract (<column>_<transform>, e.g. ts_day for day(ts)): rename the property";
    }
    return message;
  }
}
