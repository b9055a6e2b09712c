package io.lakemesh.runtime.security.audit;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Checks a chain of audit entries: in sequence order, numbered 1, 2, 3… without gaps or repeats, each carrying
 * the hash of the one before and a hash that matches its own fields, ending where the table's last commit said
 * the chain ended. The first entry that breaks any of these is named with the reason.
 */
public final class AuditChain {

  /** The verdict: OK with the count and head, or the first bad entry. */
  public record Verdict(boolean ok, long entries, long badSeq, String reason, String headHash) {
    static Verdict good(long entries, String head) {
      return new Verdict(true, entries, -1, null, head);
    }

    static Verdict bad(long entries, long seq, String reason) {
      return new Verdict(false, entries, seq, reason, null);
    }

    /** One line for people: {@code OK ...} or {@code TAMPERED ...}. */
    public String line() {
      if (ok) {
        return "OK audit chain intact: " + entries + " entries"
            + (entries > 0 ? ", seq 1.." + entries + ", head " + headHash.substring(0, 16) : "");
      }
      return "TAMPERED audit chain broken at seq " + badSeq + ": " + reason;
    }
  }

  /** Where the last commit says the chain ends (seq and hash of its newest entry); empty for a new table. */
  public record Head(long seq, String hash) {}

  private AuditChain() {}

  /**
   * Verifies {@code entries} (any order; they are sorted by seq here) against the committed {@code head}.
   */
  public static Verdict verify(List<AuditEntry> entries, Optional<Head> head) {
    List<AuditEntry> sorted = new ArrayList<>(entries);
    sorted.sort(Comparator.comparingLong(AuditEntry::seq));
    String prev = AuditEntry.GENESIS;
    long expectedSeq = 1;
    for (AuditEntry e : sorted) {
      if (e.seq() < expectedSeq) {
        return Verdict.bad(sorted.size(), e.seq(), "seq " + e.seq() + " appears more than once (inserted entry)");
      }
      if (e.seq() > expectedSeq) {
        return Verdict.bad(sorted.size(), expectedSeq, "entry missing (deleted): seq " + (expectedSeq - 1)
            + " is followed by seq " + e.seq());
      }
      if (!e.hash().equals(e.expectedHash())) {
        return Verdict.bad(sorted.size(), e.seq(), "its hash does not match its contents (edited, or moved from"
            + " another position)");
      }
      if (!e.prevHash().equals(prev)) {
        return Verdict.bad(sorted.size(), e.seq(), "prev_hash does not match the hash of seq " + (e.seq() - 1)
            + " (inserted, reordered or rewritten chain)");
      }
      prev = e.hash();
      expectedSeq++;
    }
    long last = expectedSeq - 1;
    if (head.isPresent()) {
      Head h = head.get();
      if (h.seq() > last) {
        return Verdict.bad(sorted.size(), last + 1, "entries missing (deleted) at the end: the last commit"
            + " recorded seq " + h.seq() + " but the newest entry is seq " + last);
      }
      if (h.seq() < last) {
        return Verdict.bad(sorted.size(), h.seq() + 1, "entries after the last committed seq " + h.seq()
            + " (appended outside the audit log)");
      }
      if (!h.hash().equals(prev)) {
        return Verdict.bad(sorted.size(), last, "the newest entry's hash differs from the one the last commit"
            + " recorded (rewritten chain)");
      }
    } else if (last > 0) {
      return Verdict.bad(sorted.size(), 1, "entries present but no audit commit records the chain head"
          + " (written outside the audit log)");
    }
    return Verdict.good(last, prev);
  }

  /**
   * An intact chain checked against a head recorded elsewhere (seq and the hash, or a prefix of it of at least 16
   * hex digits, as {@code OK} lines print it): a chain cut back to an older commit is intact by itself, but no longer
   * reaches that head.
   */
  public static Verdict reaches(Verdict intact, List<AuditEntry> entries, Head recorded) {
    if (!intact.ok()) {
      return intact;
    }
    if (recorded.seq() > intact.entries()) {
      return Verdict.bad(intact.entries(), intact.entries() + 1, "entries missing (deleted) at the end: the head"
          + " you recorded is seq " + recorded.seq() + " but the chain ends at seq " + intact.entries()
          + " (the table was rolled back or cut)");
    }
    String hash = entries.stream().filter(e -> e.seq() == recorded.seq()).findFirst().map(AuditEntry::hash)
        .orElse("");
    if (!hash.startsWith(recorded.hash())) {
      return Verdict.bad(intact.entries(), recorded.seq(), "its hash is " + hash.substring(0, Math.min(16,
          hash.length())) + ", not the " + recorded.hash() + " you recorded (rewritten chain)");
    }
    return intact;
  }

  /**
   * A table rolled back: the history now runs through the commit that recorded {@code keptSeq}, and a commit that
   * recorded {@code lostSeq} (after it) is no longer in it. Iceberg keeps such a snapshot in the table's metadata.
   */
  public record Rollback(long keptSeq, long lostSeq) {}

  /**
   * An intact chain whose table was rolled back to an older snapshot has lost the entries after it, also once a
   * node has gone on writing after the rollback (the new entries then reuse the lost ones' numbers).
   */
  public static Verdict notRolledBack(Verdict intact, Optional<Rollback> rollback) {
    if (!intact.ok() || rollback.isEmpty()) {
      return intact;
    }
    Rollback r = rollback.get();
    return Verdict.bad(intact.entries(), r.keptSeq() + 1, "entries missing (deleted): the table was rolled back to"
        + " its commit of seq " + r.keptSeq() + "; a later commit recorded seq " + r.lostSeq() + " and is no longer"
        + " in its history" + (intact.entries() > r.keptSeq() ? " (the chain went on from seq " + (r.keptSeq() + 1)
        + " after the rollback: those are other entries)" : ""));
  }
}
