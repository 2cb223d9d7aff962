// provider.webhook: a generic HTTP API as a secret store (eso-reference.md
// §9.6; ESO's providers/v1/webhook). The URL, headers, body and
// result.jsonPath are Go templates over the remote ref and the Secrets of
// `secrets[]` (which must carry external-secrets.io/type: webhook).
//
// Differences from ESO, all on the safe side:
// - requests have a timeout even when `timeout` is unset (30 s by default;
//   ESO waits forever), and responses are read up to a bound (16 MiB);
// - identical concurrent reads share one request (nothing is cached);
// - errors never carry a response body, a rendered URL or a secret value;
// - auth.ntlm is refused with a clear error: there is no maintained NTLM
//   library Ferry could use.
import type { Agent, Dispatcher } from "undici";
import type { KubeAccess } from "../../esutils/kube-access.ts";
import type { GenericStore } from "../../esutils/store.ts";
import { NotSupportedError, ProviderError } from "../errors.ts";
import type { Ctx, Provider, SecretsClient } from "../provider.ts";
import { WebhookClient, type Transport } from "./client.ts";
import { endpointOf, exchange, undici, type WebhookRequest, type WebhookResponse } from "./http.ts";
import { SingleFlight } from "../../esutils/single-flight.ts";
import { requestDigest } from "./request-key.ts";
import { NTLM_NOT_SUPPORTED, timeoutMs, validateWebhookStore, webhookSpec } from "./spec.ts";
import { resolveCa } from "./tls.ts";

export interface WebhookProviderOptions {
  /** Timeout of a request when the store sets none (ms, default 30000). */
  readonly defaultTimeoutMs?: number;
  /** Largest response body read (bytes, default 16 MiB). */
  readonly maxResponseBytes?: number;
  /** Timeout of the TCP check of validate() (ms, default 15000, as ESO). */
  readonly validateTimeoutMs?: number;
}

export interface WebhookStats {
  /** Requests sent to webhook endpoints. */
  requests: number;
  /** Reads that joined an identical request already in flight. */
  coalescedReads: number;
}

function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error("the operation was aborted");
}

/** Races a shared promise with one caller's signal. */
async function withSignal<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) throw abortReason(signal);
  const aborted = Promise.withResolvers<never>();
  const onAbort = (): void => {
    aborted.reject(abortReason(signal));
  };
  signal.addEventListener("abort", onAbort, { once: true });
  try {
    return await Promise.race([promise, aborted.promise]);
  } finally {
    signal.removeEventListener("abort", onAbort);
  }
}

export class WebhookSecretsProvider implements Provider {
  readonly name = "webhook";
  readonly capabilities = "ReadWrite";
  readonly maintenance = "Maintained";
  /**
   * Templates see the ExternalSecret's namespace (`.remoteRef.namespace`), so
   * a client of a ClusterSecretStore must not be shared between namespaces.
   */
  readonly clientPerNamespace = true;
  readonly stats: WebhookStats = { requests: 0, coalescedReads: 0 };
  readonly #options: Required<WebhookProviderOptions>;
  readonly #reads = new SingleFlight();
  readonly #agents = new Map<string, Agent>();
  #closed = false;

  constructor(options: WebhookProviderOptions = {}) {
    this.#options = {
      defaultTimeoutMs: 30_000,
      maxResponseBytes: 16 << 20,
      validateTimeoutMs: 15_000,
      ...options,
    };
  }

  validateStore(store: GenericStore): { warnings: string[] } {
    return validateWebhookStore(store);
  }

  async newClient(
    _ctx: Ctx,
    store: GenericStore,
    kube: KubeAccess,
    namespace: string,
  ): Promise<SecretsClient> {
    if (this.#closed) throw new ProviderError("Unavailable", "the webhook provider is shut down");
    const spec = webhookSpec(store);
    if (spec.auth?.ntlm !== undefined) throw new NotSupportedError(NTLM_NOT_SUPPORTED);
    validateWebhookStore(store);
    const ca = await resolveCa(spec, { store, kube, namespace });
    const key = ca?.digest ?? "system";
    const dispatcher = await this.#agent(key, ca?.pem);
    const transport = this.#transport(
      dispatcher,
      key,
      timeoutMs(spec) ?? this.#options.defaultTimeoutMs,
    );
    return new WebhookClient({ spec, store, kube, namespace, transport });
  }

  #transport(dispatcher: Dispatcher, caKey: string, timeout: number): Transport {
    const maxResponseBytes = this.#options.maxResponseBytes;
    const send = (req: WebhookRequest, signal?: AbortSignal): Promise<WebhookResponse> => {
      this.stats.requests++;
      return exchange(req, {
        dispatcher,
        timeoutMs: timeout,
        maxResponseBytes,
        endpoint: endpointOf(req.url),
        signal,
      });
    };
    return {
      validateTimeoutMs: this.#options.validateTimeoutMs,
      send: (req, signal, coalesce) => {
        // a shared request runs on its own timeout; each caller may still give up
        if (!coalesce) return send(req, signal);
        const key = requestDigest(req, `${caKey}|${timeout}`);
        const { promise, shared } = this.#reads.run(key, () => send(req));
        if (shared) this.stats.coalescedReads++;
        return withSignal(promise, signal);
      },
    };
  }

  /** One connection pool per CA (the system roots under "system"). */
  async #agent(key: string, ca: string | undefined): Promise<Agent> {
    // undici loads with the first client (start-up memory); no await between
    // the lookup and the insertion below, so one Agent per CA.
    const { Agent } = await undici();
    let agent = this.#agents.get(key);
    if (agent === undefined) {
      agent = new Agent(ca === undefined ? {} : { connect: { ca } });
      this.#agents.set(key, agent);
    }
    return agent;
  }

  async close(): Promise<void> {
    this.#closed = true;
    const agents = [...this.#agents.values()];
    this.#agents.clear();
    await Promise.allSettled(agents.map((a) => a.close()));
  }
}

export function newWebhookProvider(options: WebhookProviderOptions = {}): WebhookSecretsProvider {
  return new WebhookSecretsProvider(options);
}
