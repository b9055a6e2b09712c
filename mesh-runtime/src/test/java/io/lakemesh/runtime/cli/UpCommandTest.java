package io.lakemesh.runtime.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.typesafe.config.ConfigFactory;
import java.util.Map;
import org.junit.jupiter.api.Test;

class UpCommandTest {

  @Test
  void portsOutOfRangeAreRefusedBeforeAnythingStarts() {
    assertNull(UpCommand.badPort(ConfigFactory.load()), "the defaults are ports");
    assertNull(UpCommand.badPort(ConfigFactory.parseMap(Map.of("lakemesh.http.port", 0))
        .withFallback(ConfigFactory.load())), "0 asks for any free port");
    assertEquals("--http-port (LAKEMESH_HTTP_PORT) must be a port number from 0 to 65535, not '99999'",
        UpCommand.badPort(ConfigFactory.parseMap(Map.of("lakemesh.http.port", 99999))
            .withFallback(ConfigFactory.load())));
    assertEquals("--cluster-port (LAKEMESH_CLUSTER_PORT) must be a port number from 0 to 65535, not 'abc'",
        UpCommand.badPort(ConfigFactory.parseMap(Map.of("pekko.remote.artery.canonical.port", "abc"))
            .withFallback(ConfigFactory.load())));
  }
}
