// BeyondtrustWorkloadCredentialsDynamicSecret: dynamic credentials from
// BeyondTrust Workload Credentials.
import { Type, type Static } from "@sinclair/typebox";
import { RetrySettings } from "../../meta/v1/types.ts";
import { BeyondtrustWorkloadCredentialsProvider } from "../../externalsecrets/v1/providers/beyondtrustworkloadcredentials.ts";
import { KindObject } from "../../meta/v1/object.ts";

export const BeyondtrustWorkloadCredentialsDynamicSecretSpec = Type.Object({
  controller: Type.Optional(Type.String()),
  provider: BeyondtrustWorkloadCredentialsProvider,
  retrySettings: Type.Optional(RetrySettings),
});
export type BeyondtrustWorkloadCredentialsDynamicSecretSpec = Static<
  typeof BeyondtrustWorkloadCredentialsDynamicSecretSpec
>;

export const BeyondtrustWorkloadCredentialsDynamicSecret = KindObject(
  BeyondtrustWorkloadCredentialsDynamicSecretSpec,
);
export type BeyondtrustWorkloadCredentialsDynamicSecret = Static<
  typeof BeyondtrustWorkloadCredentialsDynamicSecret
>;
