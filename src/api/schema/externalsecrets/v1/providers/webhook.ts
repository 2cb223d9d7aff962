// provider.webhook: a generic HTTP API (eso-reference.md §9.6). The Webhook
// generator has the same fields except the namespace of secret references.
import { Type, type Static, type TObject } from "@sinclair/typebox";
import { Duration, StringMap } from "../../../meta/v1/builders.ts";
import { CAProvider, LocalSecretKeySelector, SecretKeySelector } from "../../../meta/v1/types.ts";
import { CaBundle } from "./vault.ts";

// The webhook fields, parametrised by the Secret reference type.
function webhookFields<R extends TObject>(secretRef: R) {
  return {
    method: Type.Optional(Type.String()),
    url: Type.String(),
    headers: Type.Optional(StringMap()),
    auth: Type.Optional(
      Type.Object({
        ntlm: Type.Optional(
          Type.Object({ usernameSecret: SecretKeySelector, passwordSecret: SecretKeySelector }),
        ),
      }),
    ),
    body: Type.Optional(Type.String()),
    timeout: Type.Optional(Duration()),
    result: Type.Optional(Type.Object({ jsonPath: Type.Optional(Type.String()) })),
    secrets: Type.Optional(Type.Array(Type.Object({ name: Type.String(), secretRef }))),
    caBundle: Type.Optional(CaBundle()),
    caProvider: Type.Optional(CAProvider),
  };
}

export const WebhookProvider = Type.Object(webhookFields(SecretKeySelector));
export type WebhookProvider = Static<typeof WebhookProvider>;

/** The Webhook generator's spec: Secret references without a namespace. */
export const WebhookGeneratorSpec = Type.Object(webhookFields(LocalSecretKeySelector));
export type WebhookGeneratorSpec = Static<typeof WebhookGeneratorSpec>;
