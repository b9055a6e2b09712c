package io.lakemesh.runtime.security.apikeys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
  void aKeyRevokedOnOneNodeIsRefusedByAnotherWithinASecond() throws Exception {
    try (Warehouse first = Warehouse.openLocal(home); Warehouse second = Warehouse.openLocal(home)) {
      ApiKeys n1 = ApiKeys.open(first);
      ApiKeys n2 = ApiKeys.open(second);
      ApiKeys.CreatedKey till = n1.create("till-42", List.of("ingest"), Map.of(), "admin");
      // created on n1: n2 knows it at once
      assertEquals("apikey:" + till.info().id(), n2.verify(till.key()).subject());
      assertThrows(UnauthenticatedException.class, () -> n2.verify(till.key() + "x"), "a wrong secret");

      n1.revoke(till.info().id(), "admin");
      assertThrows(UnauthenticatedException.class, () -> n1.verify(till.key()));
      long deadline = System.nanoTime() + 1_500_000_000L;
      boolean refused = false;
      while (!refused && System.nanoTime() < deadline) {
        try {
          n2.verify(till.key());
          Thread.sleep(50);
        } catch (UnauthenticatedException e) {
          refused = true;
        }
      }
      assertTrue(refused, "n2 still accepts a key n1 revoked 1.5 s ago");
    }
  }
}
