package io.lakemesh.runtime.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CrossOriginTest {

  private static CrossOrigin from(String origins) {
    return CrossOrigin.from(ConfigFactory.parseMap(Map.of("allowed-origins", origins, "max-age", "10m")));
  }

  @Test
  void originsAreSeparatedBySpacesOrCommasAndOffByDefault() {
    assertEquals(List.of(), from("").origins());
    assertEquals(List.of(), from("  ").origins());
    assertEquals(List.of("https://dash.example.com", "http://localhost:3000", "https://*.example.org"),
        from("https://dash.example.com/, http://localhost:3000 https://*.example.org").origins());
    assertEquals(List.of("*"), from("*").origins());
  }

  @Test
  void anEntryThatIsNoOriginStopsTheStartNamingIt() {
    for (String bad : List.of("dash.example.com", "https://dash.example.com/app", "ftp://files.example.com",
        "https://", "https://dash.example.com?x=1")) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> from("http://ok.test " + bad));
      assertTrue(e.getMessage().startsWith("lakemesh.http.cors.allowed-origins: '" + bad + "' is no origin"),
          e.getMessage());
    }
  }
}
