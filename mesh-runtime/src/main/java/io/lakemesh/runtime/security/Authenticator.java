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

  /**
   * The caller of a request with these Authorization and X-API-Key header values (each header as often as sent):
   * a credential header sent twice is refused as both kinds together are, since which one counts would be a guess.
   */
  public Principal authenticate(java.util.List<String> authorizations, java.util.List<String> apiKeys)
      throws UnauthenticatedException {
    if (authorizations.size() > 1 || apiKeys.size() > 1) {
      throw UnauthenticatedException.shaped("a credential header was sent more than once",
          "send one credential, once: one Authorization (a bearer token, or ApiKey <key>) or one X-API-Key header");
    }
    return authenticate(authorizations.stream().findFirst(), apiKeys.stream().findFirst());
  }

  public Principal authenticate(Optional<String> authorization, Optional<String> apiKey)
      throws UnauthenticatedException {
    if (apiKey.isPresent() && authorization.isPresent()) {
      // two identities (a proxy adding its own token to a client's key): serving either one would be a guess
      throw UnauthenticatedException.shaped("both Authorization and X-API-Key were sent",
          "send one credential, not both: Authorization (a bearer token, or ApiKey <key>) or X-API-Key");
    }
    if (apiKey.isPresent()) {
      return apiKeys.verify(apiKey.get().trim());
    }
    if (authorization.isPresent() && authorization.get().regionMatches(true, 0, "ApiKey ", 0, 7)) {
      return apiKeys.verify(authorization.get().substring(7).trim());
    }
    return tokens.verify(authorization.orElse(null));
  }

  /**
   * Why {@code caller}'s credential no longer holds (its API key revoked, its token expired), or empty while it
   * does: a subscription authenticated once asks again while it lasts.
   */
  public Optional<String> withdrawn(Principal caller) {
    if (caller.credential() instanceof Principal.Credential.ApiKey key) {
      return apiKeys.active(key.id()) ? Optional.empty() : Optional.of("API key " + key.id() + " was revoked");
    }
    Principal.Credential.Token token = (Principal.Credential.Token) caller.credential();
    return tokens.expired(token.expires()) ? Optional.of("the token expired at " + token.expires())
        : Optional.empty();
  }
}
