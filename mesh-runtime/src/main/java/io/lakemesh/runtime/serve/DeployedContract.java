package io.lakemesh.runtime.serve;

import io.lakemesh.contracts.ContractYaml;
import io.lakemesh.runtime.product.Product;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpCharsets;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
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
    boolean json = request.getHeader(Accept.class).map(DeployedContract::prefersJson).orElse(false);
    String file = product.id() + "-" + product.contract().version()
        + (json ? ".odcs.json" : ".odcs.yaml");
    return HttpResponse.create()
        .withEntity(json
            ? HttpEntities.create(ContentTypes.APPLICATION_JSON, product.contract().document().toPrettyString())
            : HttpEntities.create(YAML, ContractYaml.write(product.contract().document())))
        .addHeader(org.apache.pekko.http.javadsl.model.headers.RawHeader.create("Content-Disposition",
            "inline; filename=\"" + file + "\""));
  }

  /** JSON only when the client names it and not YAML: curl's and browsers' defaults get YAML. */
  private static boolean prefersJson(Accept accept) {
    String value = accept.value().toLowerCase(java.util.Locale.ROOT);
    return value.contains("application/json") && !value.contains("yaml");
  }
}
