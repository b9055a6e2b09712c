package io.lakemesh.runtime.serve;

import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.http.ParsingErrorHandler;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.scaladsl.model.ErrorInfo;
import org.apache.pekko.http.scaladsl.model.StatusCode;
import org.apache.pekko.http.scaladsl.settings.ServerSettings;

/**
 * Answers requests the HTTP server refuses before any route sees them (URI over
 * {@code parsing.max-uri-length}: 414, a header over its limits: 431, too many headers, malformed request
 * lines: 400) with problem+json like every other error. Configured as {@code
 * pekko.http.server.parsing.error-handler}.
 */
public final class ProblemParsingErrorHandler extends ParsingErrorHandler {

  /**
   * Pekko instantiates this handler by class name, so the audit trail reaches it through this hook (the node sets
   * it at start): requests refused before routing are denied requests too, and are recorded.
   */
  private static volatile io.lakemesh.runtime.security.audit.AuditLog audit;

  public ProblemParsingErrorHandler() {}

  public static void auditTo(io.lakemesh.runtime.security.audit.AuditLog log) {
    audit = log;
  }

  @Override
  public HttpResponse handle(StatusCode status, ErrorInfo info, LoggingAdapter log, ServerSettings settings) {
    int code = status.intValue();
    log.debug("refused a request the server could not parse: {} {}", code, info.summary());
    String slug = switch (code) {
      case 414 -> "uri-too-long";
      case 431 -> "headers-too-large";
      case 413 -> "too-large";
      default -> "malformed-request";
    };
    io.lakemesh.runtime.security.audit.AuditLog log2 = audit;
    if (log2 != null) {
      try {
        log2.record(io.lakemesh.runtime.security.audit.AuditEvent.denied("anonymous", null, "-",
            "(refused before routing: " + slug + ")", code));
      } catch (RuntimeException e) {
        log.warning("could not audit a refused request: {}", e.getMessage());
      }
    }
    // the summary names the limit that was exceeded; Pekko ends some with the client's address ("... from
    // 127.0.0.1:33568"), which is the server's bookkeeping, not the client's business
    String detail = info.summary().replaceFirst(" from \\S+:\\d+$", "");
    if (code == 505) {
      // "GET /rows?filter=age > 3 HTTP/1.1": the first space ends the target, and "> 3 HTTP/1.1" is read as the
      // version; an unescaped space is far likelier here than a client of another HTTP version
      detail += " A space inside the URL (an unescaped filter, say) ends it early, and the rest is read as the HTTP"
          + " version: write spaces as %20.";
    }
    return new Problem(code, slug, status.reason(), detail).toResponse(null);
  }
}
