package io.lakemesh.runtime.security;

import io.lakemesh.runtime.security.apikeys.ApiKeys;
import java.util.Optional;

/**
 * Who a request comes from: an API key ({@code X-API-Key: lmk_…} or {@code Authorization: ApiKey lmk_…}) for
 * service accounts, otherwise a bearer JWT. One place, so the API, the management port and the audit trail agree.
 */
public final class Authenticator {
  private final TokenVerifier tokens;
  private final ApiKeys apiKeys;

  public Authenticator(TokenVerifier tokens, ApiKeys apiKeys) {
    this.tokens = tokens;
    this.apiKeys = apiKeys;
  }

  public Principal authenticate(Optional<String> authorization, Optional<String> apiKey)
      throws UnauthenticatedException {
    if (apiKey.isPresent()) {
      return apiKeys.verify(apiKey.get().trim());
    }
    if (authorization.isPresent() && authorization.get().regionMatches(true, 0, "ApiKey ", 0, 7)) {
      return apiKeys.verify(authorization.get().substring(7).trim());
    }
    return tokens.verify(authorization.orElse(null));
  }
}
