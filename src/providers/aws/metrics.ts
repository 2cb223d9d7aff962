// The AWS provider's counters as plain metric samples. The provider layer
// does not know the metrics registry (architecture.md §3); the composition
// root turns these samples into Prometheus counters on every scrape.
//
//   externalsecret_provider_api_calls_count{provider,call,status}   ESO's
//     counter (runtime/metrics in ESO): one per request attempt, status
//     success|error; a throttled or expired attempt is an error, as in ESO.
//   ferry_provider_api_throttled_total{provider,call}   attempts AWS answered
//     with throttling (ThrottlingException, HTTP 429…): they were retried with
//     backoff instead of failing the sync at once.
//   ferry_aws_retries_total{reason}   retries: reason=backoff (throttling or
//     transient failure), reason=expired_credentials (fresh STS session).
//   ferry_aws_coalesced_reads_total   reads answered by an identical read in
//     flight or just finished, instead of a request.
//   ferry_aws_sts_credentials_total{source}   source=sts: credentials fetched
//     from STS; source=cache: served by the credential cache.
import type { AwsService, AwsStats, CallOutcome } from "./calls.ts";

export interface MetricSample {
  readonly name: string;
  readonly help: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** A counter family: what a registry needs before any sample exists. */
export interface MetricFamily {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly string[];
}

const API_CALLS: MetricFamily = {
  name: "externalsecret_provider_api_calls_count",
  help: "Number of API calls towards the secret provider",
  labelNames: ["provider", "call", "status"],
};
const THROTTLED: MetricFamily = {
  name: "ferry_provider_api_throttled_total",
  help: "Provider API attempts refused by throttling (retried with backoff, not failed at once)",
  labelNames: ["provider", "call"],
};
const RETRIES: MetricFamily = {
  name: "ferry_aws_retries_total",
  help: "Retries of AWS requests, by reason",
  labelNames: ["reason"],
};
const COALESCED: MetricFamily = {
  name: "ferry_aws_coalesced_reads_total",
  help: "AWS reads answered by an identical read in flight or just finished",
  labelNames: [],
};
const STS: MetricFamily = {
  name: "ferry_aws_sts_credentials_total",
  help: "AWS STS credentials: fetched from STS or served by the credential cache",
  labelNames: ["source"],
};

/** Every family awsMetricSamples() reports. */
export const AWS_METRIC_FAMILIES: readonly MetricFamily[] = [
  API_CALLS,
  THROTTLED,
  RETRIES,
  COALESCED,
  STS,
];

/** ESO's provider label values (runtime/constants in ESO); STS is Ferry's own. */
const PROVIDER_LABEL: Record<AwsService, string> = {
  SecretsManager: "AWS/SecretsManager",
  SSM: "AWS/ParameterStore",
  STS: "AWS/STS",
};

const sample = (
  family: MetricFamily,
  labels: Record<string, string>,
  value: number,
): MetricSample => ({ name: family.name, help: family.help, labels, value });

function splitKey(key: string): { service: AwsService; operation: string; outcome: CallOutcome } {
  const [service, operation, outcome] = key.split(".") as [AwsService, string, CallOutcome];
  return { service, operation, outcome };
}

function callSamples(stats: AwsStats): MetricSample[] {
  const byStatus = new Map<string, MetricSample>();
  const throttled: MetricSample[] = [];
  for (const [key, count] of stats.outcomes) {
    const { service, operation, outcome } = splitKey(key);
    const provider = PROVIDER_LABEL[service];
    const status = outcome === "ok" ? "success" : "error";
    const id = `${provider}|${operation}|${status}`;
    const value = (byStatus.get(id)?.value ?? 0) + count;
    byStatus.set(id, sample(API_CALLS, { provider, call: operation, status }, value));
    if (outcome === "throttled") {
      throttled.push(sample(THROTTLED, { provider, call: operation }, count));
    }
  }
  return [...byStatus.values(), ...throttled];
}

export function awsMetricSamples(stats: AwsStats): MetricSample[] {
  return [
    ...callSamples(stats),
    sample(RETRIES, { reason: "backoff" }, stats.retries),
    sample(RETRIES, { reason: "expired_credentials" }, stats.credentialRetries),
    sample(COALESCED, {}, stats.coalesced),
    sample(STS, { source: "sts" }, stats.credentialRefreshes),
    sample(STS, { source: "cache" }, stats.credentialCacheHits),
  ];
}
