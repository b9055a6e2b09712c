package io.lakemesh.runtime.security.apikeys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.lakemesh.runtime.security.UnauthenticatedException;
import io.lakemesh.runtime.storage.Warehouse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Keys as two nodes of a cluster see them: each with its own catalog connection to the same warehouse. */
class ApiKeysTest {
  @TempDir Path home;

  @Test
  void aKeyCreatedOrRevokedOnOneNodeHoldsOnAnotherAtItsNextRefresh() throws Exception {
    try (Warehouse first = Warehouse.openLocal(home); Warehouse second = Warehouse.openLocal(home)) {
      ApiKeys n1 = ApiKeys.open(first);
      ApiKeys n2 = ApiKeys.open(second);
      ApiKeys.CreatedKey till = n1.create("till-42", List.of("ingest"), Map.of(), "admin");
      // created on n1: n1 knows it at once, n2 at its next refresh (the node runs one every second)
      assertEquals("apikey:" + till.info().id(), n1.verify(till.key()).subject());
      assertThrows(UnauthenticatedException.class, () -> n2.verify(till.key()), "not read by n2 yet");
      n2.refresh();
      assertEquals("apikey:" + till.info().id(), n2.verify(till.key()).subject());
      assertThrows(UnauthenticatedException.class, () -> n2.verify(till.key() + "x"), "a wrong secret");

      n1.revoke(till.info().id(), "admin");
      assertThrows(UnauthenticatedException.class, () -> n1.verify(till.key()), "refused at once where revoked");
      assertEquals("apikey:" + till.info().id(), n2.verify(till.key()).subject(), "n2 has not read it yet");
      n2.refresh();
      assertThrows(UnauthenticatedException.class, () -> n2.verify(till.key()), "n2 refuses it once refreshed");
    }
  }
}
