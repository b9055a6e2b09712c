package io.lakemesh.runtime.serve;

import io.lakemesh.contracts.ContractYaml;
import io.lakemesh.runtime.product.Product;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpCharsets;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaRange;
import org.apache.pekko.http.javadsl.model.MediaType;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.headers.Accept;

/** {@code GET /api/v1/products/{id}/contract}: the whole contract document a product was deployed with. */
final class DeployedContract {
  /** RFC 9512's media type for YAML. */
  static final ContentType.WithFixedCharset YAML = MediaTypes.applicationWithFixedCharset("yaml", HttpCharsets.UTF_8)
      .toContentType();

  private DeployedContract() {}

  static HttpResponse response(Product product, HttpRequest request) {
    // the document of the file the node started with, which the deployment gate checked against the tables
    double yaml = quality(request, YAML_TYPES);
    double json = quality(request, List.of(MediaTypes.APPLICATION_JSON));
    if (yaml <= 0 && json <= 0) {
      return new Problem(406, "not-acceptable", "Not acceptable", "a contract is served as application/yaml or"
          + " application/json; the Accept header allows neither").toResponse(request.getUri().path());
    }
    boolean asJson = json > yaml;
    String file = product.id() + "-" + product.contract().version() + (asJson ? ".odcs.json" : ".odcs.yaml");
    return HttpResponse.create()
        .withEntity(asJson
            ? HttpEntities.create(ContentTypes.APPLICATION_JSON, product.contract().document().toPrettyString())
            : HttpEntities.create(YAML, ContractYaml.write(product.contract().document())))
        .addHeader(org.apache.pekko.http.javadsl.model.headers.RawHeader.create("Content-Disposition",
            "inline; filename=\"" + file + "\""))
        // the answer depends on Accept: a shared cache must not give one client's JSON to another asking for YAML
        .addHeader(org.apache.pekko.http.javadsl.model.headers.RawHeader.create("Vary", "Accept"));
  }

  /** The names YAML goes by; application/yaml (RFC 9512) is what is sent. */
  private static final List<MediaType> YAML_TYPES = List.of(YAML.mediaType(),
      MediaTypes.applicationWithFixedCharset("x-yaml", HttpCharsets.UTF_8), MediaTypes.customWithFixedCharset("text",
          "yaml", HttpCharsets.UTF_8, java.util.Map.of(), false));

  /**
   * How much the client wants one of {@code types} (RFC 9110 q-values: 1 with no Accept header, 0 when no range it
   * lists matches them).
   */
  static double quality(HttpRequest request, List<MediaType> types) {
    Optional<Accept> accept = request.getHeader(Accept.class);
    if (accept.isEmpty()) {
      return 1;
    }
    double best = 0;
    for (MediaRange range : accept.get().getMediaRanges()) {
      if (types.stream().anyMatch(range::matches)) {
        best = Math.max(best, range.qValue());
      }
    }
    return best;
  }
}
