// Errors of the provider contract. Each has a stable `code` that controllers
// put into status conditions next to ESO's reasons, so users can tell a
// missing key from an authentication failure at a glance (ESO shows only
// "could not get secret data from provider"). Messages carry context and a
// remedy, never a secret value.

export type ProviderErrorCode =
  | "KeyNotFound"
  | "PropertyNotFound"
  | "NotSupported"
  | "InvalidStore"
  | "AuthFailed"
  | "RateLimited"
  | "Unavailable"
  | "InvalidValue"
  | "ProviderError";

export class ProviderError extends Error {
  readonly code: ProviderErrorCode;

  constructor(code: ProviderErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ProviderError";
    this.code = code;
  }
}

/**
 * The remote secret does not exist (ESO's NoSecretErr, "Secret does not
 * exist"). Only this error lets deletionPolicy Delete/Merge remove data; any
 * other error keeps the existing Secret untouched.
 */
export class NoSecretError extends ProviderError {
  constructor(detail?: string) {
    super(
      "KeyNotFound",
      detail === undefined ? "Secret does not exist" : `Secret does not exist: ${detail}`,
    );
    this.name = "NoSecretError";
  }
}

/** The provider cannot do this (read-only providers on push, find without support…). */
export class NotSupportedError extends ProviderError {
  constructor(message: string) {
    super("NotSupported", message);
    this.name = "NotSupportedError";
  }
}

/** The store's configuration is wrong; static, found without network. */
export class StoreValidationError extends ProviderError {
  constructor(message: string) {
    super("InvalidStore", message);
    this.name = "StoreValidationError";
  }
}

export function isNoSecretError(err: unknown): err is NoSecretError {
  return err instanceof NoSecretError;
}
