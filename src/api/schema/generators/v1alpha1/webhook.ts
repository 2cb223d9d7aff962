// Webhook generator: the Webhook provider's request, output is the JSON answer.
import type { Static } from "@sinclair/typebox";
import { WebhookGeneratorSpec } from "../../externalsecrets/v1/providers/webhook.ts";
import { KindObject } from "../../meta/v1/object.ts";

export const WebhookSpec = WebhookGeneratorSpec;
export type WebhookSpec = Static<typeof WebhookSpec>;

export const Webhook = KindObject(WebhookSpec);
export type Webhook = Static<typeof Webhook>;
