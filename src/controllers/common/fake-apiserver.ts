// An in-memory apiserver behind the runtime client's Transport, for unit
// tests of controllers: objects by REST path, create/get/put/merge-patch/
// delete, the `status` subresource, resourceVersion bumped only on real
// changes (as the apiserver does), and a log of every request.
// Not a production component; it lives in src so that unit tests next to
// the code can use it.
import { Readable } from "node:stream";
import { isDeepStrictEqual } from "node:util";
import {
  KubeClient,
  type HttpRequest,
  type HttpResponse,
  type Transport,
} from "../../runtime/index.ts";

type Json = Record<string, unknown>;

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly body: unknown;
}

/** Answers a request before the built-in behaviour; undefined passes it on. */
export type RequestHook = (req: RecordedRequest) => { status: number; body: unknown } | undefined;

function respond(status: number, body: unknown): HttpResponse {
  return { status, headers: {}, body: Readable.from([Buffer.from(JSON.stringify(body))]) };
}

function statusBody(code: number, reason: string, message: string): Json {
  return { kind: "Status", apiVersion: "v1", status: "Failure", code, reason, message };
}

function isObject(v: unknown): v is Json {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** RFC 7386 JSON merge patch. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return patch;
  const base = isObject(target) ? target : {};
  const removed = new Set(Object.keys(patch).filter((k) => patch[k] === null));
  const out: Json = Object.fromEntries(Object.entries(base).filter(([k]) => !removed.has(k)));
  for (const [k, v] of Object.entries(patch)) {
    if (v !== null) out[k] = mergePatch(out[k], v);
  }
  return out;
}

function meta(obj: Json): Json {
  return isObject(obj["metadata"]) ? obj["metadata"] : {};
}

export class FakeApiServer implements Transport {
  readonly objects = new Map<string, Json>();
  readonly requests: RecordedRequest[] = [];
  readonly hooks: RequestHook[] = [];
  #rv = 1;
  #uid = 0;

  /** A client talking to this server. */
  client(): KubeClient {
    return new KubeClient(this);
  }

  /** Stores `obj` at `path` (the object's own path) as if it had been created. */
  put(path: string, obj: Json): Json {
    const stored = this.#stamp(structuredClone(obj), undefined);
    this.objects.set(path, stored);
    return stored;
  }

  get(path: string): Json | undefined {
    return this.objects.get(path);
  }

  /** Requests other than GETs: what a controller wrote. */
  writes(): RecordedRequest[] {
    return this.requests.filter((r) => r.method !== "GET");
  }

  request(req: HttpRequest): Promise<HttpResponse> {
    const body: unknown = req.body === undefined ? undefined : JSON.parse(req.body);
    const recorded = { method: req.method, path: req.path, body };
    this.requests.push(recorded);
    for (const hook of this.hooks) {
      const answer = hook(recorded);
      if (answer !== undefined) return Promise.resolve(respond(answer.status, answer.body));
    }
    return Promise.resolve(this.#handle(recorded));
  }

  close(): void {
    // nothing to release
  }

  #handle(req: RecordedRequest): HttpResponse {
    switch (req.method) {
      case "GET":
        return this.#read(req.path);
      case "POST":
        return this.#create(req.path, req.body as Json);
      case "PUT":
        return this.#write(req.path, () => req.body as Json);
      case "PATCH":
        return this.#patch(req.path, req.body);
      case "DELETE":
        return this.#delete(req.path);
      default:
        return respond(405, statusBody(405, "MethodNotAllowed", req.method));
    }
  }

  #read(path: string): HttpResponse {
    const obj = this.objects.get(path);
    return obj === undefined
      ? respond(404, statusBody(404, "NotFound", `${path} not found`))
      : respond(200, obj);
  }

  #create(collection: string, obj: Json): HttpResponse {
    const name = meta(obj)["name"];
    if (typeof name !== "string" || name === "")
      return respond(422, statusBody(422, "Invalid", "metadata.name is required"));
    const path = `${collection}/${name}`;
    if (this.objects.has(path))
      return respond(409, statusBody(409, "AlreadyExists", `${path} already exists`));
    return respond(201, this.put(path, obj));
  }

  #patch(path: string, patch: unknown): HttpResponse {
    const uid = isObject(patch) ? meta(patch)["uid"] : undefined;
    const target = this.objects.get(path.endsWith("/status") ? path.slice(0, -7) : path);
    if (uid !== undefined && target !== undefined && uid !== meta(target)["uid"])
      return respond(409, statusBody(409, "Conflict", "Precondition failed: UID"));
    if (path.endsWith("/status")) {
      const base = path.slice(0, -"/status".length);
      return this.#write(base, (current) => ({
        ...current,
        status: (mergePatch({ status: current["status"] }, patch) as Json)["status"],
      }));
    }
    return this.#write(path, (current) => mergePatch(current, patch) as Json);
  }

  #write(path: string, change: (current: Json) => Json): HttpResponse {
    const current = this.objects.get(path);
    if (current === undefined)
      return respond(404, statusBody(404, "NotFound", `${path} not found`));
    const next = change(structuredClone(current));
    const uid = meta(next)["uid"];
    if (uid !== undefined && uid !== meta(current)["uid"])
      return respond(409, statusBody(409, "Conflict", "Precondition failed: UID"));
    if (isDeepStrictEqual(next, current)) return respond(200, current);
    const stored = this.#stamp(next, current);
    this.objects.set(path, stored);
    return respond(200, stored);
  }

  #delete(path: string): HttpResponse {
    const current = this.objects.get(path);
    if (current === undefined)
      return respond(404, statusBody(404, "NotFound", `${path} not found`));
    this.objects.delete(path);
    return respond(200, statusBody(200, "", "deleted"));
  }

  #stamp(obj: Json, previous: Json | undefined): Json {
    const m: Json = { ...meta(obj) };
    m["resourceVersion"] = String(++this.#rv);
    m["uid"] = previous === undefined ? (m["uid"] ?? `uid-${++this.#uid}`) : meta(previous)["uid"];
    return { ...obj, metadata: m };
  }
}
