package io.lakemesh.runtime.security;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * The deployment's secret salt for {@code hash} column masks: configured ({@code lakemesh.security.hash-salt}, env
 * {@code LAKEMESH_HASH_SALT}), or in dev generated once in {@code $LAKEMESH_HOME/dev-hash-salt} so hashes stay the
 * same across restarts.
 */
public final class HashSalt {
  private HashSalt() {}

  public static byte[] resolve(SecuritySettings settings, Path home) {
    if (!settings.hashSalt().isBlank()) {
      return settings.hashSalt().getBytes(StandardCharsets.UTF_8);
    }
    Path file = home.resolve("dev-hash-salt");
    try {
      if (!Files.isRegularFile(file)) {
        byte[] salt = new byte[32];
        new SecureRandom().nextBytes(salt);
        DevKeys.writeOwnerOnly(file, HexFormat.of().formatHex(salt));
      }
      return Files.readString(file, StandardCharsets.UTF_8).trim().getBytes(StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read the dev hash salt " + file + ": " + e.getMessage(), e);
    }
  }
}
