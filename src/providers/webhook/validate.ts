// The store check ESO's webhook provider runs (esutils.NetworkValidate): a
// TCP connection to the host and port of `url`, within 15 seconds. Two
// differences, both on purpose: the default port follows the scheme (ESO
// always dials 443, so an http:// URL without a port fails there), and a
// host that is itself a template cannot be checked without an
// ExternalSecret, so the result is Unknown instead of an error.
import { connect } from "node:net";
import { ProviderError } from "../errors.ts";
import type { ValidationResult } from "../provider.ts";

const AUTHORITY = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)/;

interface Target {
  readonly host: string;
  readonly port: number;
}

/** Host and port of the URL template, or undefined when they are templated. */
export function dialTarget(urlTemplate: string): Target | undefined {
  const m = AUTHORITY.exec(urlTemplate.trim());
  if (m === null) return undefined;
  const scheme = (m[1] ?? "").toLowerCase();
  const authority = m[2] ?? "";
  if (authority.includes("{{")) return undefined;
  let url: URL;
  try {
    url = new URL(`${scheme}://${authority}/`);
  } catch {
    throw new ProviderError("InvalidStore", "could not parse url: the host of url is not valid");
  }
  const port = url.port === "" ? (scheme === "http" ? 80 : 443) : Number(url.port);
  return { host: url.hostname.replace(/^\[(.*)\]$/, "$1"), port };
}

export async function dial(target: Target, timeoutMs: number, signal: AbortSignal): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const socket = connect({ host: target.host, port: target.port, timeout: timeoutMs, signal });
    const where = `${target.host}:${target.port}`;
    socket.once("connect", () => {
      socket.destroy();
      resolve();
    });
    socket.once("timeout", () => {
      socket.destroy();
      reject(
        new ProviderError(
          "Unavailable",
          `error accessing external store: dial ${where}: timed out`,
        ),
      );
    });
    socket.once("error", (err: NodeJS.ErrnoException) => {
      socket.destroy();
      reject(
        new ProviderError(
          "Unavailable",
          `error accessing external store: dial ${where}: ${err.code ?? err.message}`,
        ),
      );
    });
  });
}

export async function validateEndpoint(
  urlTemplate: string,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<ValidationResult> {
  const target = dialTarget(urlTemplate);
  if (target === undefined) return "Unknown";
  await dial(target, timeoutMs, signal);
  return "Ready";
}
