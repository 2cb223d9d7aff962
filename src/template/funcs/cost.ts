// A work budget for the expensive crypto functions (key generation, bcrypt,
// scrypt, signatures). One template call of genCA costs more than a hundred
// thousand steps of the interpreter, so the step limit alone would let
// `{{ range until 100000 }}{{ genCA "x" 1 }}{{ end }}` run for hours: each
// execution may spend at most maxSteps units here, in addition to its steps.
// A unit is about 2 µs of CPU, so the default budget (1e6) is a few seconds:
// 20 RSA-2048 keys, 3 RSA-4096 keys, 20 bcrypt/scrypt hashes or 1000
// signatures. Lowering maxSteps lowers it too.
import { DEFAULT_LIMITS, LimitError, activeLimits } from "../errors.ts";
import type { Limits } from "../errors.ts";

export const COST = {
  /** RSA-2048 key generation (genCA, genSelfSignedCert, genSignedCert): ~0.1 s. */
  rsa2048: 50_000,
  /** RSA-4096 key generation (genPrivateKey "rsa"): ~0.5 to 2 s. */
  rsa4096: 300_000,
  /** bcrypt at cost 10 (bcrypt, htpasswd) or scrypt N=32768 (derivePassword): ~0.1 s. */
  passwordHash: 50_000,
  /** Parsing keys and signing one certificate: ~2 ms. */
  certificate: 1_000,
} as const;

// Each execution has its own Limits object (index.ts copies the defaults for
// every call), so it identifies the execution in progress.
const spent = new WeakMap<Limits, number>();

/** Charges units of work to the execution in progress; throws a limit error past its budget. */
export function charge(units: number, what: string): void {
  const limits = activeLimits();
  if (limits === DEFAULT_LIMITS) return; // not inside an execution
  const total = (spent.get(limits) ?? 0) + units;
  if (total > limits.maxSteps) {
    throw new LimitError(
      `${what} exceeded the crypto work budget of this execution (${limits.maxSteps} units; a key generation costs ${COST.rsa2048} to ${COST.rsa4096})`,
    );
  }
  spent.set(limits, total);
}
