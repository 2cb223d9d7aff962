// What providers may read from Kubernetes, always on behalf of one store and
// one ExternalSecret/PushSecret namespace. Controllers implement it with the
// runtime client; providers never see a raw client, so every reference goes
// through the namespace rules of resolvers.ts.

export interface SecretObject {
  readonly namespace: string;
  readonly name: string;
  readonly data: ReadonlyMap<string, Uint8Array>;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly resourceVersion?: string | undefined;
}

export interface ConfigMapObject {
  readonly namespace: string;
  readonly name: string;
  readonly data: ReadonlyMap<string, string>;
}

export interface ServiceAccountObject {
  readonly namespace: string;
  readonly name: string;
  readonly annotations: Readonly<Record<string, string>>;
}

export interface TokenRequestOptions {
  readonly audiences?: readonly string[] | undefined;
  readonly expirationSeconds?: number | undefined;
}

export interface ServiceAccountToken {
  readonly token: string;
  /** Expiry of the token, ms since epoch. */
  readonly expiresAt: number;
}

export interface KubeAccess {
  /** The Secret, or undefined when it does not exist. */
  getSecret(namespace: string, name: string): Promise<SecretObject | undefined>;
  getConfigMap(namespace: string, name: string): Promise<ConfigMapObject | undefined>;
  getServiceAccount(namespace: string, name: string): Promise<ServiceAccountObject | undefined>;
  /** TokenRequest for a ServiceAccount. */
  createServiceAccountToken(
    namespace: string,
    name: string,
    options: TokenRequestOptions,
  ): Promise<ServiceAccountToken>;
}
