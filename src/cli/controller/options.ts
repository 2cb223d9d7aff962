// Flags of `ferry controller`: ESO's `external-secrets` flags (eso-reference.md
// §11.10) where they make sense, with ESO's defaults except `--concurrent`
// (16 instead of 1: reconciles mostly wait on the apiserver and providers). Go/pflag syntax is accepted:
// `--flag=value`, `--flag value`, and `--bool`, `--bool=true|false`.
// ESO flags Ferry does not implement yet are accepted and reported back as
// `ignored`, so an ESO Deployment's arguments never stop Ferry from starting.
import { parseArgs, type ParseArgsOptionsConfig } from "node:util";
import { parseGoDuration } from "../../esutils/go-duration.ts";
import type { LogLevel } from "../../runtime/index.ts";

export interface ControllerOptions {
  readonly metricsAddr: string;
  readonly liveAddr: string;
  readonly controllerClass: string;
  readonly concurrent: number;
  /** "" = all namespaces. */
  readonly namespace: string;
  readonly enableLeaderElection: boolean;
  readonly leaderElectionId: string;
  /** Ferry's addition; default POD_NAMESPACE, the in-cluster namespace, else "default". */
  readonly leaderElectionNamespace: string | undefined;
  readonly leaderElectionLeaseDurationMs: number;
  readonly leaderElectionRenewDeadlineMs: number;
  readonly leaderElectionRetryPeriodMs: number;
  /** Accepted for compatibility; Ferry has no client-side QPS limiter (see clientBurst). */
  readonly clientQps: number;
  /** Bounds the API client's concurrent requests (maxInFlight). */
  readonly clientBurst: number;
  readonly storeRequeueIntervalMs: number;
  readonly enableClusterStoreReconciler: boolean;
  readonly enableSecretStoreReconciler: boolean;
  readonly enableClusterExternalSecretReconciler: boolean;
  readonly enablePushSecretReconciler: boolean;
  readonly enableClusterPushSecretReconciler: boolean;
  readonly logLevel: LogLevel;
  /** Else KUBECONFIG, else in-cluster, else ~/.kube/config. */
  readonly kubeconfig: string | undefined;
  readonly unsafeAllowGenericTargets: boolean;
  readonly templateLeftDelimiter: string;
  readonly templateRightDelimiter: string;
  /**
   * Ferry's: "on-change" (default) moves status.refreshTime only when a
   * refresh wrote the target or changed a condition, so a refresh that
   * changes nothing writes nothing; "always" writes it at every refresh, as
   * ESO does (for tooling that watches refreshTime).
   */
  readonly refreshTimeMode: RefreshTimeMode;
}

export type RefreshTimeMode = "on-change" | "always";

/** The defaults, for `startController` callers that set only a few options. */
export const DEFAULT_CONTROLLER_OPTIONS: ControllerOptions = {
  metricsAddr: ":8080",
  liveAddr: ":8082",
  controllerClass: "default",
  concurrent: 16,
  namespace: "",
  enableLeaderElection: false,
  leaderElectionId: "external-secrets-controller",
  leaderElectionNamespace: undefined,
  leaderElectionLeaseDurationMs: 15_000,
  leaderElectionRenewDeadlineMs: 10_000,
  leaderElectionRetryPeriodMs: 2_000,
  clientQps: 50,
  clientBurst: 100,
  storeRequeueIntervalMs: 5 * 60_000,
  enableClusterStoreReconciler: true,
  enableSecretStoreReconciler: true,
  enableClusterExternalSecretReconciler: true,
  enablePushSecretReconciler: true,
  enableClusterPushSecretReconciler: true,
  logLevel: "info",
  kubeconfig: undefined,
  unsafeAllowGenericTargets: false,
  templateLeftDelimiter: "{{",
  templateRightDelimiter: "}}",
  refreshTimeMode: "on-change",
};

const STRING_FLAGS = [
  "metrics-addr",
  "live-addr",
  "controller-class",
  "concurrent",
  "namespace",
  "leader-election-id",
  "leader-election-namespace",
  "leader-election-lease-duration",
  "leader-election-renew-deadline",
  "leader-election-retry-period",
  "client-qps",
  "client-burst",
  "store-requeue-interval",
  "loglevel",
  "kubeconfig",
  "template-left-delimiter",
  "template-right-delimiter",
  "refresh-time-mode",
] as const;

const BOOLEAN_FLAGS = [
  "enable-leader-election",
  "enable-cluster-store-reconciler",
  "enable-secret-store-reconciler",
  "enable-cluster-external-secret-reconciler",
  "enable-push-secret-reconciler",
  "enable-cluster-push-secret-reconciler",
  "unsafe-allow-generic-targets",
  "help",
] as const;

const OPTIONS: ParseArgsOptionsConfig = {
  ...Object.fromEntries(STRING_FLAGS.map((f) => [f, { type: "string" as const }])),
  ...Object.fromEntries(BOOLEAN_FLAGS.map((f) => [f, { type: "boolean" as const }])),
  help: { type: "boolean", short: "h" },
};

const STRINGS = new Set<string>(STRING_FLAGS);
const BOOLEANS = new Set<string>(BOOLEAN_FLAGS);

export class FlagError extends Error {
  override readonly name = "FlagError";
}

export interface ParsedFlags {
  readonly options: ControllerOptions;
  readonly help: boolean;
  /** Flags accepted but not implemented (ESO flags Ferry ignores), as given. */
  readonly ignored: readonly string[];
}

interface Split {
  readonly known: string[];
  readonly ignored: string[];
}

/** Positionals (parseArgs refuses them), -h and string flags go to parseArgs as given. */
function isPassedThrough(arg: string, name: string): boolean {
  return !arg.startsWith("-") || arg === "-h" || STRINGS.has(name);
}

function flagParts(arg: string): { name: string; value: string | undefined } {
  const body = arg.replace(/^--?/, "");
  const eq = body.indexOf("=");
  return eq < 0
    ? { name: body, value: undefined }
    : { name: body.slice(0, eq), value: body.slice(eq + 1) };
}

/** Known flags in parseArgs' syntax (`--bool=false` ⇒ `--no-bool`); unknown ones set aside. */
function split(args: readonly string[]): Split {
  const known: string[] = [];
  const ignored: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? "";
    const { name, value } = flagParts(arg);
    if (isPassedThrough(arg, name)) {
      known.push(arg);
    } else if (BOOLEANS.has(name)) {
      known.push(booleanArg(name, value));
    } else {
      // An unknown flag: take its value along when it is a separate word.
      const next = args[i + 1];
      const takesNext = value === undefined && !(next ?? "-").startsWith("-");
      ignored.push(takesNext ? `${arg} ${next}` : arg);
      if (takesNext) i++;
    }
  }
  return { known, ignored };
}

function booleanArg(name: string, value: string | undefined): string {
  if (value === undefined || value === "true" || value === "1") return `--${name}`;
  if (value === "false" || value === "0") return `--no-${name}`;
  throw new FlagError(`invalid value ${JSON.stringify(value)} for --${name}: use true or false`);
}

function duration(flag: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  try {
    const ms = parseGoDuration(text);
    if (ms >= 0) return ms;
  } catch {
    // reported below
  }
  throw new FlagError(`invalid duration ${JSON.stringify(text)} for --${flag} (e.g. 5m, 30s)`);
}

function integer(flag: string, text: string | undefined, fallback: number, min: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < min)
    throw new FlagError(
      `invalid value ${JSON.stringify(text)} for --${flag}: need an integer ≥ ${min}`,
    );
  return n;
}

function float(flag: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isFinite(n) || n < 0)
    throw new FlagError(`invalid value ${JSON.stringify(text)} for --${flag}`);
  return n;
}

const LOG_LEVELS: Readonly<Record<string, LogLevel>> = {
  debug: "debug",
  info: "info",
  warn: "warn",
  error: "error",
  // zap's levels above error
  dpanic: "error",
  panic: "error",
  fatal: "error",
};

function logLevel(text: string | undefined): LogLevel {
  if (text === undefined) return DEFAULT_CONTROLLER_OPTIONS.logLevel;
  const level = LOG_LEVELS[text.toLowerCase()];
  if (level === undefined)
    throw new FlagError(
      `invalid --loglevel ${JSON.stringify(text)}: use debug, info, warn or error`,
    );
  return level;
}

type Values = Record<string, string | boolean | undefined>;

function str(v: Values, name: string): string | undefined {
  const value = v[name];
  return typeof value === "string" ? value : undefined;
}

function bool(v: Values, name: string, fallback: boolean): boolean {
  const value = v[name];
  return typeof value === "boolean" ? value : fallback;
}

/** Parses `ferry controller` arguments; throws FlagError on invalid values. */
export function parseControllerFlags(args: readonly string[]): ParsedFlags {
  const { known, ignored } = split(args);
  let parsed;
  try {
    parsed = parseArgs({
      args: known,
      options: OPTIONS,
      strict: true,
      allowNegative: true,
      allowPositionals: false,
    });
  } catch (err) {
    throw new FlagError((err as Error).message);
  }
  const v = parsed.values as Values;
  return { options: toOptions(v), help: bool(v, "help", false), ignored };
}

function toOptions(v: Values): ControllerOptions {
  const d = DEFAULT_CONTROLLER_OPTIONS;
  return {
    ...addresses(v),
    controllerClass: str(v, "controller-class") ?? d.controllerClass,
    concurrent: integer("concurrent", str(v, "concurrent"), d.concurrent, 1),
    namespace: str(v, "namespace") ?? d.namespace,
    ...leaderElection(v),
    clientQps: float("client-qps", str(v, "client-qps"), d.clientQps),
    clientBurst: integer("client-burst", str(v, "client-burst"), d.clientBurst, 1),
    storeRequeueIntervalMs: duration(
      "store-requeue-interval",
      str(v, "store-requeue-interval"),
      d.storeRequeueIntervalMs,
    ),
    ...reconcilers(v),
    logLevel: logLevel(str(v, "loglevel")),
    kubeconfig: str(v, "kubeconfig"),
    unsafeAllowGenericTargets: bool(v, "unsafe-allow-generic-targets", d.unsafeAllowGenericTargets),
    templateLeftDelimiter: str(v, "template-left-delimiter") ?? d.templateLeftDelimiter,
    templateRightDelimiter: str(v, "template-right-delimiter") ?? d.templateRightDelimiter,
    refreshTimeMode: refreshTimeMode(str(v, "refresh-time-mode")),
  };
}

function refreshTimeMode(value: string | undefined): RefreshTimeMode {
  if (value === undefined) return DEFAULT_CONTROLLER_OPTIONS.refreshTimeMode;
  if (value === "on-change" || value === "always") return value;
  throw new FlagError(
    `--refresh-time-mode must be "on-change" or "always", not ${JSON.stringify(value)}`,
  );
}

function addresses(v: Values): Pick<ControllerOptions, "metricsAddr" | "liveAddr"> {
  return {
    metricsAddr: str(v, "metrics-addr") ?? DEFAULT_CONTROLLER_OPTIONS.metricsAddr,
    liveAddr: str(v, "live-addr") ?? DEFAULT_CONTROLLER_OPTIONS.liveAddr,
  };
}

function leaderElection(
  v: Values,
): Pick<
  ControllerOptions,
  | "enableLeaderElection"
  | "leaderElectionId"
  | "leaderElectionNamespace"
  | "leaderElectionLeaseDurationMs"
  | "leaderElectionRenewDeadlineMs"
  | "leaderElectionRetryPeriodMs"
> {
  const d = DEFAULT_CONTROLLER_OPTIONS;
  return {
    enableLeaderElection: bool(v, "enable-leader-election", d.enableLeaderElection),
    leaderElectionId: str(v, "leader-election-id") ?? d.leaderElectionId,
    leaderElectionNamespace: str(v, "leader-election-namespace"),
    leaderElectionLeaseDurationMs: duration(
      "leader-election-lease-duration",
      str(v, "leader-election-lease-duration"),
      d.leaderElectionLeaseDurationMs,
    ),
    leaderElectionRenewDeadlineMs: duration(
      "leader-election-renew-deadline",
      str(v, "leader-election-renew-deadline"),
      d.leaderElectionRenewDeadlineMs,
    ),
    leaderElectionRetryPeriodMs: duration(
      "leader-election-retry-period",
      str(v, "leader-election-retry-period"),
      d.leaderElectionRetryPeriodMs,
    ),
  };
}

function reconcilers(
  v: Values,
): Pick<
  ControllerOptions,
  | "enableClusterStoreReconciler"
  | "enableSecretStoreReconciler"
  | "enableClusterExternalSecretReconciler"
  | "enablePushSecretReconciler"
  | "enableClusterPushSecretReconciler"
> {
  return {
    enableClusterStoreReconciler: bool(v, "enable-cluster-store-reconciler", true),
    enableSecretStoreReconciler: bool(v, "enable-secret-store-reconciler", true),
    enableClusterExternalSecretReconciler: bool(
      v,
      "enable-cluster-external-secret-reconciler",
      true,
    ),
    enablePushSecretReconciler: bool(v, "enable-push-secret-reconciler", true),
    enableClusterPushSecretReconciler: bool(v, "enable-cluster-push-secret-reconciler", true),
  };
}

export const CONTROLLER_USAGE = `usage: ferry controller [flags]

Runs the controllers (ESO's \`external-secrets\` command). Flags take Go
syntax (--flag=value, --flag value, --bool, --bool=false). ESO flags that
Ferry does not implement are accepted and logged as ignored.

  --metrics-addr ADDR                  /metrics (default ":8080"; "0" disables)
  --live-addr ADDR                     /healthz and /readyz (default ":8082")
  --controller-class NAME              handle stores/ExternalSecrets of this class (default "default")
  --concurrent N                       reconcile workers per controller (default 16; ESO: 1)
  --namespace NS                       watch only this namespace (default: all)
  --enable-leader-election             run one active replica (default false)
  --leader-election-id NAME            Lease name (default "external-secrets-controller")
  --leader-election-namespace NS       Lease namespace (default: the pod's namespace)
  --leader-election-lease-duration D   (default 15s)
  --leader-election-renew-deadline D   (default 10s)
  --leader-election-retry-period D     (default 2s)
  --client-qps Q                       accepted; Ferry has no client-side QPS limit
  --client-burst N                     concurrent API requests (default 100)
  --store-requeue-interval D           store re-validation when refreshInterval is 0 (default 5m)
  --enable-secret-store-reconciler            (default true)
  --enable-cluster-store-reconciler           (default true)
  --enable-cluster-external-secret-reconciler (default true)
  --enable-push-secret-reconciler             (default true)
  --enable-cluster-push-secret-reconciler     (default true)
  --loglevel LEVEL                     debug, info, warn, error (default info)
  --kubeconfig FILE                    default: $KUBECONFIG, in-cluster, ~/.kube/config
  --unsafe-allow-generic-targets       let ExternalSecrets write kinds other than Secret
  --template-left-delimiter STR        (default "{{")
  --template-right-delimiter STR       (default "}}")
  --refresh-time-mode MODE             on-change: a refresh that changes nothing writes no
                                       status (default); always: status.refreshTime moves at
                                       every refresh, as ESO does (one write per refresh)
  -h, --help                           show this help
`;
