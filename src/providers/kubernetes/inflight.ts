// Identical concurrent reads become one request: while a GET of a Secret
// (or a LIST with one selector) is in flight, later callers share it
// (esutils' SingleFlight, without a memo window). Keys start with the
// connection identity (server, TLS, credentials), so reads are never shared
// across credentials or referent namespaces. Nothing is remembered once the
// request settles: the next read asks the apiserver again, so a Secret
// changed a moment ago is seen at once.
import { SingleFlight } from "../../esutils/single-flight.ts";

export interface InFlightStats {
  /** Reads that reached the apiserver. */
  started: number;
  /** Reads that joined one already in flight. */
  shared: number;
}

export class InFlight {
  readonly #flight = new SingleFlight();
  readonly stats: InFlightStats = { started: 0, shared: 0 };

  run<T>(key: string, read: () => Promise<T>): Promise<T> {
    const { promise, shared } = this.#flight.run(key, read);
    if (shared) this.stats.shared++;
    else this.stats.started++;
    return promise;
  }

  /** After a write: reads started later must not join a read from before it. */
  forget(prefix: string): void {
    this.#flight.forget(prefix);
  }
}
