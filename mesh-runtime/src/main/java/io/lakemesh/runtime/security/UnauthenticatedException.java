package io.lakemesh.runtime.security;

import java.util.Optional;

/**
 * A request whose credentials are missing or refused. The message is for the server log only: the client gets a
 * generic answer, since the reason (expired, wrong issuer, unknown key…) would help an attacker probe. Only a
 * mistake in the request's own shape, which tells nothing about any credential, has a hint for the client.
 */
public final class UnauthenticatedException extends Exception {
  private final transient String clientHint;

  public UnauthenticatedException(String reason) {
    this(reason, (String) null);
  }

  public UnauthenticatedException(String reason, Throwable cause) {
    super(reason, cause);
    this.clientHint = null;
  }

  private UnauthenticatedException(String reason, String clientHint) {
    super(reason);
    this.clientHint = clientHint;
  }

  /** Refused for how the request presents its credentials; {@code hint} is what the client is told. */
  public static UnauthenticatedException shaped(String reason, String hint) {
    return new UnauthenticatedException(reason, hint);
  }

  /** What the client may be told beyond "a valid credential is required", if anything. */
  public Optional<String> clientHint() {
    return Optional.ofNullable(clientHint);
  }
}
