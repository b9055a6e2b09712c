package io.lakemesh.runtime.security;

/**
 * A request whose credentials are missing or refused. The message is for the server log only: the client gets a
 * generic answer, since the reason (expired, wrong issuer, unknown key…) would help an attacker probe.
 */
public final class UnauthenticatedException extends Exception {
  public UnauthenticatedException(String reason) {
    super(reason);
  }

  public UnauthenticatedException(String reason, Throwable cause) {
    super(reason, cause);
  }
}
