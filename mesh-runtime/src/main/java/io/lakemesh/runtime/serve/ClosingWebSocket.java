package io.lakemesh.runtime.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.event.Logging;
import org.apache.pekko.http.impl.engine.ws.FrameHandler;
import org.apache.pekko.http.impl.engine.ws.UpgradeToWebSocketLowLevel;
import org.apache.pekko.http.impl.engine.ws.WebSocket;
import org.apache.pekko.http.javadsl.model.AttributeKeys;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.ws.WebSocketUpgrade;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Rejections;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.scaladsl.model.ws.Message;
import org.apache.pekko.http.scaladsl.model.ws.TextMessage;
import org.apache.pekko.http.scaladsl.settings.WebSocketSettings;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.scaladsl.BidiFlow;
import scala.Option;
import scala.concurrent.duration.FiniteDuration;

/**
 * Serves a one-way WebSocket (server to client) whose close frame carries the code and reason of the stream's last
 * {@code {"type":"closing","code":...,"detail":...}} message: 4008 for a subscriber that fell too far behind, 1001
 * when the node shuts down. A plain completion closes with 1000.
 *
 * <p>Why this is not {@code handleWebSocketMessages}: Pekko HTTP has no public API for a close code (a completed
 * handler always closes with 1000; akka/akka-http#2458). This assembles the same protocol stack Pekko's own
 * {@code handleMessages} uses (masking, frame handling, keep-alive pings, message API) with one stage added between
 * the message API and the frame handling, which turns the handler's completion into an active close with the code.
 * Those stack parts are Pekko internals: a Pekko HTTP upgrade can move them, which the WebSocket tests catch.
 */
final class ClosingWebSocket extends AllDirectives {
  private static final ObjectMapper JSON = new ObjectMapper();
  /**
   * How long after handing over its close frame the server waits for the peer's before dropping the connection.
   * Pekko's stack uses 3 s; a subscriber closed for being slow has the messages still buffered before that frame to
   * read first, so it gets longer to see why it was closed (a stalled one is dropped after this).
   */
  private static final FiniteDuration CLOSE_TIMEOUT = FiniteDuration.apply(10, TimeUnit.SECONDS);
  /** A close frame's payload is at most 125 bytes, two of them the code. */
  private static final int MAX_REASON_BYTES = 123;

  /** The close the stream asked for. */
  record Close(int code, String reason) {}

  private volatile WebSocketSettings settings;

  /** The route answering a WebSocket upgrade with {@code messages}; other requests are rejected as Pekko does. */
  Route route(Source<String, NotUsed> messages) {
    return extractRequest(request -> extractActorSystem(system -> {
      Optional<UpgradeToWebSocketLowLevel> upgrade = lowLevel(request);
      if (upgrade.isEmpty()) {
        return reject(Rejections.expectedWebSocketRequest());
      }
      return complete(upgrade.get().handleFrames(stack(system, messages), Option.empty()));
    }));
  }

  /** Whether the request asks for a WebSocket upgrade this class can answer. */
  static boolean isUpgrade(HttpRequest request) {
    return lowLevel(request).isPresent();
  }

  private static Optional<UpgradeToWebSocketLowLevel> lowLevel(HttpRequest request) {
    Optional<WebSocketUpgrade> upgrade = request.getAttribute(AttributeKeys.webSocketUpgrade);
    return upgrade.filter(UpgradeToWebSocketLowLevel.class::isInstance).map(UpgradeToWebSocketLowLevel.class::cast);
  }

  /**
   * Pekko's server stack for one connection with the close-code stage in it, joined with the handler. Raw types:
   * the Scala stack's variance does not fit Java generics.
   */
  @SuppressWarnings({"unchecked", "rawtypes"})
  private org.apache.pekko.stream.Graph stack(ActorSystem system, Source<String, NotUsed> messages) {
    WebSocketSettings ws = settings(system);
    AtomicReference<Close> close = new AtomicReference<>();
    // what the client sends is read and dropped: the stream is one-way
    org.apache.pekko.stream.javadsl.Flow handler = org.apache.pekko.stream.javadsl.Flow.fromSinkAndSourceCoupled(
        org.apache.pekko.stream.javadsl.Sink.ignore(), messages.map(text -> {
          remember(text, close);
          return (Message) TextMessage.apply(text);
        }));
    org.apache.pekko.stream.javadsl.Flow outbound = org.apache.pekko.stream.javadsl.Flow.create().map(event -> {
      Close requested = close.get();
      if (requested != null && event == FrameHandler.UserHandlerCompleted$.MODULE$) {
        return new FrameHandler.ActivelyCloseWithCode(Option.apply(requested.code()), requested.reason());
      }
      return event;
    });
    BidiFlow closeWithCode = org.apache.pekko.stream.javadsl.BidiFlow
        .fromFlows(org.apache.pekko.stream.javadsl.Flow.create(), outbound).asScala();
    BidiFlow masking = WebSocket.masking(true, ws.randomFactory());
    BidiFlow frames = WebSocket.frameHandling(true, CLOSE_TIMEOUT, Logging.getLogger(system, ClosingWebSocket.class));
    BidiFlow keepAlive = WebSocket.periodicKeepAlive(ws);
    BidiFlow api = WebSocket.messageAPI(true, CLOSE_TIMEOUT);
    BidiFlow stack = masking.atop(frames).atop(keepAlive).atop(closeWithCode).atop(api);
    return stack.join(handler.asScala());
  }

  private WebSocketSettings settings(ActorSystem system) {
    WebSocketSettings s = settings;
    if (s == null) {
      // the javadsl settings are the scaladsl ones underneath (WebSocketSettingsImpl)
      s = (WebSocketSettings) org.apache.pekko.http.javadsl.settings.ServerSettings.create(system)
          .getWebsocketSettings();
      settings = s;
    }
    return s;
  }

  /** Notes the close a {@code closing} control message announces; other messages pass untouched. */
  static void remember(String text, AtomicReference<Close> close) {
    if (!text.startsWith("{\"type\":\"closing\"")) {
      return;
    }
    try {
      JsonNode n = JSON.readTree(text);
      int code = n.path("code").asInt(1000);
      close.set(new Close(code, truncate(n.path("detail").asText(""))));
    } catch (java.io.IOException e) {
      throw new IllegalStateException("a closing message that is not JSON: " + text, e);
    }
  }

  /** The reason cut to what fits a close frame, on a character boundary. */
  static String truncate(String reason) {
    if (reason.getBytes(StandardCharsets.UTF_8).length <= MAX_REASON_BYTES) {
      return reason;
    }
    StringBuilder out = new StringBuilder();
    int bytes = 0;
    for (int i = 0; i < reason.length(); ) {
      int cp = reason.codePointAt(i);
      int size = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8).length;
      if (bytes + size > MAX_REASON_BYTES - 3) {
        break;
      }
      out.appendCodePoint(cp);
      bytes += size;
      i += Character.charCount(cp);
    }
    return out.append("...").toString();
  }
}
