export { ESO_LEADER_ELECTION_ID, LeaderElector } from "./elector.ts";
export type { LeaderElectionOptions, StopReason } from "./elector.ts";
export { FakeLeaseLock, kubeLeaseLock, microTime } from "./lease.ts";
export type { Lease, LeaseLock, LeaseSpec } from "./lease.ts";
