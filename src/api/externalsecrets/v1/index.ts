// Hand-written companions of the external-secrets.io/v1 schemas.
export * from "./conditions.ts";
export * from "./constants.ts";
export { providerName, type HasProvider, type ProviderName } from "./provider.ts";
