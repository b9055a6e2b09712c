package io.lakemesh.runtime.security.audit;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;

/**
 * One link of the audit chain: an event with its sequence number, its time, the hash of the entry before it
 * ({@code prevHash}) and its own {@code hash}, SHA-256 over the canonical encoding of every other field.
 *
 * <p>The encoding is length-prefixed (so no field can bleed into the next) and the time is kept to microseconds,
 * the precision the Iceberg table stores, so a hash recomputed from a stored entry matches the one written.
 */
public record AuditEntry(long seq, Instant time, String principal, String action, String product, String detail,
    String outcome, String prevHash, String hash) {

  /** The {@code prevHash} of the first entry. */
  public static final String GENESIS = "0".repeat(64);

  /** Chains an event after the entry whose hash is {@code prevHash}. */
  public static AuditEntry chain(long seq, Instant time, AuditEvent event, String prevHash) {
    Instant micros = time.truncatedTo(ChronoUnit.MICROS);
    String hash = hashOf(seq, micros, event.principal(), event.action().code(), event.product(), event.detail(),
        event.outcome(), prevHash);
    return new AuditEntry(seq, micros, event.principal(), event.action().code(), event.product(), event.detail(),
        event.outcome(), prevHash, hash);
  }

  /** The hash this entry should carry, recomputed from its fields. */
  public String expectedHash() {
    return hashOf(seq, time, principal, action, product, detail, outcome, prevHash);
  }

  static String hashOf(long seq, Instant time, String principal, String action, String product, String detail,
      String outcome, String prevHash) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeUTF("lakemesh.audit.v1");
      out.writeLong(seq);
      out.writeLong(time.getEpochSecond());
      out.writeInt(time.getNano());
      for (String field : new String[] {principal, action, product, detail, outcome, prevHash}) {
        if (field == null) {
          out.writeInt(-1);
        } else {
          byte[] utf8 = field.getBytes(StandardCharsets.UTF_8);
          out.writeInt(utf8.length);
          out.write(utf8);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes.toByteArray()));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }
}
