// The Node.js flags the controller is meant to run with, given through
// NODE_OPTIONS (deploy/, README "Running in a cluster"). Measured with
// `npm run bench -- --n 10000` (README "Performance"):
// - --max-semi-space-size=4: V8's young generation grows to tens of MiB
//   under a burst of watch events and stays resident; 4 MiB semi-spaces
//   cut the controller's peak RSS by ~40% for a few % more CPU;
// - --expose-gc: lets IdleGc (src/runtime/manager/idle-gc.ts) return the
//   garbage of a burst once the controllers are idle.
export const RECOMMENDED_NODE_OPTIONS = ["--expose-gc", "--max-semi-space-size=4"] as const;

/** The recommended flags this process was not started with. */
export function missingNodeOptions(
  execArgv: readonly string[],
  nodeOptions: string | undefined,
): string[] {
  const given = [...execArgv, ...(nodeOptions ?? "").split(/\s+/)].map(
    (flag) => flag.split("=")[0] ?? flag,
  );
  return RECOMMENDED_NODE_OPTIONS.filter((flag) => !given.includes(flag.split("=")[0] ?? flag));
}
