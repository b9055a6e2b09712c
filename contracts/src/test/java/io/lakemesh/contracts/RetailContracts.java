package io.lakemesh.contracts;

import static org.junit.jupiter.api.Assertions.assertThrows;

import io.lakemesh.contracts.model.Contract;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.UnaryOperator;

/** The retail domain's real contracts (read from ../domains/retail/contracts, so tests follow their edits). */
public final class RetailContracts {
  public static final String TRANSACTIONS = "transactions.odcs.yaml";
  public static final String DAILY_SALES = "daily_sales.odcs.yaml";
  private static final Path DIR = Path.of("..", "domains", "retail", "contracts");

  private RetailContracts() {}

  public static String text(String file) {
    try {
      return Files.readString(DIR.resolve(file));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static Contract parse(String file) throws InvalidContractException {
    return ContractParser.parse(DIR.resolve(file));
  }

  /** Parses a retail contract after an edit of its text. */
  public static Contract parseEdited(String file, UnaryOperator<String> edit) throws InvalidContractException {
    return ContractParser.parse(file + " (edited)", edit.apply(text(file)));
  }

  /** The problems of a retail contract after an edit that must make it invalid. */
  public static List<Problem> problemsAfter(String file, UnaryOperator<String> edit) {
    return assertThrows(InvalidContractException.class, () -> parseEdited(file, edit),
        "the edited contract should be refused").problems();
  }

  /** Replaces text that must occur exactly once, so an edit never silently misses. */
  public static UnaryOperator<String> replace(String old, String replacement) {
    return text -> {
      int at = text.indexOf(old);
      if (at < 0 || text.indexOf(old, at + 1) >= 0) {
        throw new IllegalArgumentException("expected exactly one occurrence of: " + old);
      }
      return text.replace(old, replacement);
    };
  }
}
