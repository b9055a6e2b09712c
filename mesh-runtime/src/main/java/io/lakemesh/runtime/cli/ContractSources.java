package io.lakemesh.runtime.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lakemesh.contracts.ContractParser;
import io.lakemesh.contracts.InvalidContractException;
import io.lakemesh.contracts.model.Contract;
import io.lakemesh.runtime.simulate.ContractTrafficSource;
import io.lakemesh.runtime.simulate.TrafficSource;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.Function;
import picocli.CommandLine.ParameterException;

/** A traffic source for a product no domain module has one for: made from the contract the node serves. */
final class ContractSources {
  private static final ObjectMapper JSON = new ObjectMapper();

  private ContractSources() {}

  /**
   * Reads the product's contract from the node ({@code GET /api/v1/products/<id>}) and makes its traffic from it.
   * A product the node does not serve, a node that cannot be reached or a contract whose rules generated values do
   * not meet are usage errors, in one line.
   */
  static TrafficSource fromNode(URI base, String token, String productId,
      Function<String, ParameterException> usage) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + "/api/v1/products/" + productId))
        .timeout(Duration.ofSeconds(10));
    if (token != null && !token.isBlank()) {
      request.header("Authorization", "Bearer " + token);
    }
    HttpResponse<String> response;
    try {
      response = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()
          .send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      // a refused connection has no message of its own
      throw usage.apply("cannot read it from " + base + " (" + (e.getMessage() != null ? e.getMessage()
          : e instanceof java.net.ConnectException ? "connection refused" : e.getClass().getSimpleName()) + ")");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw usage.apply("interrupted while reading it");
    }
    if (response.statusCode() != 200) {
      throw usage.apply("the node at " + base + " answers HTTP " + response.statusCode() + ": "
          + detail(response.body()));
    }
    Contract contract;
    try {
      JsonNode product = JSON.readTree(response.body());
      String document = JSON.writeValueAsString(product.path("contract"));
      contract = ContractParser.parseAll(productId + ".odcs.json", document).stream()
          .filter(c -> productId.equals(c.id()) || productId.startsWith(c.id() + "@v")).findFirst()
          .orElseThrow(() -> usage.apply("the contract the node serves for it does not describe it"));
    } catch (IOException | InvalidContractException e) {
      throw usage.apply("its contract cannot be read: " + e.getMessage());
    }
    if (contract.stage() != io.lakemesh.contracts.model.Stage.SOURCE) {
      // a derived product takes no events (the node answers 405): say so before sending any
      throw usage.apply("it is a " + contract.stage().odcsName() + " product computed from "
          + contract.settings().upstream() + ", which takes no events; simulate " + contract.settings().upstream()
          + " instead");
    }
    try {
      // one try on a copy now, so that a contract generated values cannot meet is one clear line before anything
      // is sent (the copy's event is never sent, so no re-send can repeat it)
      new ContractTrafficSource(contract, productId).nextEvent(new java.util.SplittableRandom(1),
          TrafficSource.EventKind.VALID);
    } catch (IllegalStateException e) {
      throw usage.apply(e.getMessage());
    }
    return new ContractTrafficSource(contract, productId);
  }

  private static String detail(String body) {
    try {
      JsonNode problem = JSON.readTree(body);
      return problem.path("detail").asText(body);
    } catch (IOException e) {
      return body.length() > 200 ? body.substring(0, 200) : body;
    }
  }
}
