package io.lakemesh.runtime.security;

import io.lakemesh.contracts.policy.AccessPolicy;
import io.lakemesh.contracts.policy.Action;
import io.lakemesh.runtime.product.Product;
import io.lakemesh.runtime.product.ProductCatalog;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Authorization for every product: deny by default, the platform admin may do everything, otherwise the
 * contract's roles grant (see {@link AccessPolicy}).
 */
public final class ProductAccess {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ProductAccess.class);
  private final Map<String, AccessPolicy> policies = new HashMap<>();

  public ProductAccess(ProductCatalog products, byte[] hashSalt) {
    for (Product p : products.all()) {
      policies.put(p.id(), AccessPolicy.of(p.contract(), hashSalt));
      // a valid contract may name roles that grant nothing here; the operator should hear of it once, at start
      AccessPolicy.notes(p.contract()).forEach(note -> LOG.warn("{}: {}", p.id(), note));
    }
  }

  public boolean allows(Principal caller, Product product, Action action) {
    if (caller.admin()) {
      return true;
    }
    AccessPolicy policy = policies.get(product.id());
    return policy != null && policy.allows(caller.roles(), action);
  }

  /** Whether any of the caller's roles grants anything on the product: what it may learn exists. */
  public boolean allowsAny(Principal caller, Product product) {
    return java.util.Arrays.stream(io.lakemesh.contracts.policy.Action.values())
        .anyMatch(action -> allows(caller, product, action));
  }

  /** What the caller reads of the product; empty when none of its roles grants read. */
  public Optional<ReadScope> reader(Principal caller, Product product) {
    if (caller.admin()) {
      return Optional.of(ReadScope.everything());
    }
    AccessPolicy policy = policies.get(product.id());
    if (policy == null) {
      return Optional.empty();
    }
    return policy.reader(caller.roles()).map(access -> ReadScope.of(access, caller.claims()));
  }
}
