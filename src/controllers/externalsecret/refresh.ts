// When an ExternalSecret is fetched again (ESO's shouldRefresh and sync
// windows). A refresh can still be forced by a broken target (deleted,
// unlabelled or edited Secret): that check lives with the target logic.
import type { ExternalSecretObject as ExternalSecret } from "./es-view.ts";
import { parseGoDuration } from "../../esutils/go-duration.ts";
import { syncedResourceVersion } from "../../esutils/object-hash.ts";
import { parseCron, type Schedule } from "../common/cron.ts";

export const DEFAULT_REFRESH_INTERVAL_MS = 3_600_000;

export interface RefreshState {
  readonly now: number;
  /**
   * When the data was last fetched successfully (ms). Defaults to
   * status.refreshTime; Ferry's quiet mode keeps it in memory instead of
   * writing status on every no-change refresh.
   */
  readonly lastRefresh?: number | undefined;
}

export function refreshIntervalMs(es: ExternalSecret): number {
  const text = es.spec?.refreshInterval;
  return text === undefined ? DEFAULT_REFRESH_INTERVAL_MS : parseGoDuration(text);
}

/** "<generation>-<hash of labels and annotations>", compared with status.syncedResourceVersion. */
export function currentResourceVersion(es: ExternalSecret): string {
  return syncedResourceVersion({
    generation: es.metadata?.generation,
    labels: es.metadata?.labels,
    annotations: es.metadata?.annotations,
  });
}

function statusRefreshTime(es: ExternalSecret): number | undefined {
  const text = es.status?.refreshTime;
  if (text === undefined || text === null || text === "") return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}

function lastRefreshOf(es: ExternalSecret, state: RefreshState): number | undefined {
  return state.lastRefresh ?? statusRefreshTime(es);
}

interface Window {
  readonly schedule: Schedule;
  readonly durationMs: number;
}

function parsedWindows(es: ExternalSecret): Window[] {
  const windows: Window[] = [];
  for (const w of es.spec?.syncWindows?.windows ?? []) {
    try {
      windows.push({ schedule: parseCron(w.schedule), durationMs: parseGoDuration(w.duration) });
    } catch {
      // ESO ignores windows whose schedule does not parse.
    }
  }
  return windows;
}

/** A window that opened at most `duration` ago is active, both ends included. */
export function isWithinWindow(window: Window, at: number): boolean {
  return window.schedule.next(at - window.durationMs - 1) <= at;
}

/** Whether sync windows permit a periodic refresh at `at`. */
export function windowsPermit(es: ExternalSecret, at: number): boolean {
  const sw = es.spec?.syncWindows;
  if (sw === undefined || sw.windows.length === 0) return true;
  const active = parsedWindows(es).some((w) => isWithinWindow(w, at));
  return sw.kind === "allow" ? active : !active;
}

function shouldRefreshPeriodic(es: ExternalSecret, state: RefreshState): boolean {
  const synced = es.status?.syncedResourceVersion ?? "";
  const interval = refreshIntervalMs(es);
  if (interval <= 0 && synced !== "") return false;
  if (synced !== currentResourceVersion(es)) return true;
  const last = lastRefreshOf(es, state);
  if (last === undefined || last > state.now) return true;
  return last + interval < state.now && windowsPermit(es, state.now);
}

/** ESO's shouldRefresh for each refreshPolicy. */
export function shouldRefresh(es: ExternalSecret, state: RefreshState): boolean {
  const synced = es.status?.syncedResourceVersion ?? "";
  switch (es.spec?.refreshPolicy) {
    case "CreatedOnce":
      return synced === "" || lastRefreshOf(es, state) === undefined;
    case "OnChange":
      return synced === "" || synced !== currentResourceVersion(es);
    case "Periodic":
    case undefined:
      return shouldRefreshPeriodic(es, state);
  }
}

/**
 * Milliseconds until the next periodic refresh is due, or undefined when
 * none is scheduled (CreatedOnce, OnChange, interval 0).
 */
export function timeUntilRefresh(es: ExternalSecret, state: RefreshState): number | undefined {
  const policy = es.spec?.refreshPolicy;
  if (policy === "CreatedOnce" || policy === "OnChange") return undefined;
  const interval = refreshIntervalMs(es);
  if (interval <= 0) return undefined;
  const last = lastRefreshOf(es, state) ?? state.now;
  return Math.max(0, last + interval - state.now);
}
