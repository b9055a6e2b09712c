package io.lakemesh.runtime.security.audit;

import java.util.Objects;

/**
 * Something that happened and must leave a trace: who did what to which product, with what outcome. The log adds
 * the time, the sequence number and the hashes ({@link AuditEntry}).
 *
 * @param principal who acted ({@code anonymous} until requests are authenticated)
 * @param action    {@code read}, {@code ingest}, {@code admin} or {@code denied}
 * @param product   the data product, or null for requests that name none
 * @param detail    what exactly: a filter and row count, an event count, a denied path and status
 * @param outcome   {@code ok}, or the HTTP status / reason of a failure
 */
public record AuditEvent(String principal, Action action, String product, String detail, String outcome) {

  /** The kinds of audited actions; their lower-case names are what the table stores. */
  public enum Action {
    READ, INGEST, ADMIN, DENIED;

    public String code() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  public AuditEvent {
    Objects.requireNonNull(principal, "principal");
    Objects.requireNonNull(action, "action");
    Objects.requireNonNull(outcome, "outcome");
    detail = detail == null ? "" : detail;
  }

  public static AuditEvent read(String principal, String product, String filter, int rows) {
    return new AuditEvent(principal, Action.READ, product,
        "filter=" + (filter == null ? "" : filter) + "; rows=" + rows, "ok");
  }

  public static AuditEvent ingest(String principal, String product, int events) {
    return new AuditEvent(principal, Action.INGEST, product, "events=" + events, "ok");
  }

  public static AuditEvent denied(String principal, String product, String method, String path, int status) {
    return new AuditEvent(principal, Action.DENIED, product, method + " " + path, Integer.toString(status));
  }
}
