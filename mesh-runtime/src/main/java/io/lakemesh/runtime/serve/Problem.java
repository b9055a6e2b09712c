package io.lakemesh.runtime.serve;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.HttpCharsets;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;

/** An RFC 9457 problem answer: {@code application/problem+json}, a stable type, a title and a detail for people. */
public record Problem(int status, String slug, String title, String detail) {
  static final ContentType PROBLEM_JSON =
      MediaTypes.applicationWithFixedCharset("problem+json", HttpCharsets.UTF_8).toContentType();
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The node cannot serve yet, or no longer: the same answer on both ports, saying why. */
  public static Problem notReady(String why) {
    return new Problem(503, "not-ready", "Not ready", "not ready: " + why);
  }

  public static Problem badRequest(String slug, String detail) {
    return new Problem(400, slug, "Bad request", detail);
  }

  public static Problem notFound(String detail) {
    return new Problem(404, "not-found", "Not found", detail);
  }

  /** The response, with a Retry-After of {@code seconds} (a 429 or 503 gets 1 s otherwise). */
  public HttpResponse toResponse(String instance, long retryAfterSeconds) {
    return toResponse(instance).removeHeader("Retry-After")
        .addHeader(RawHeader.create("Retry-After", Long.toString(retryAfterSeconds)));
  }

  public HttpResponse toResponse(String instance) {
    ObjectNode body = JSON.createObjectNode();
    body.put("type", "https://lakemesh.io/problems/" + slug);
    body.put("title", title);
    body.put("status", status);
    body.put("detail", detail);
    if (instance != null) {
      body.put("instance", instance);
    }
    StatusCode code = StatusCodes.get(status);
    HttpResponse response = HttpResponse.create().withStatus(code)
        .withEntity(HttpEntities.create(PROBLEM_JSON, body.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    if (status == 503 || status == 429) {
      response = response.addHeader(RawHeader.create("Retry-After", "1"));
    }
    return response;
  }
}
