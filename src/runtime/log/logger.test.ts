import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createLogger } from "./logger.ts";
import { REDACTED } from "./redact.ts";

function capture(): { lines: string[]; write: (l: string) => void } {
  const lines: string[] = [];
  return { lines, write: (l) => lines.push(l) };
}

const SECRETS = [
  "hunter2-super-secret",
  "c2VjcmV0LWJhc2U2NA==",
  "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW0ifQ.c2lnbmF0dXJl",
  "AKIAIOSFODNN7EXAMPLE",
  "tok-123456789",
];

describe("logger", () => {
  it("writes one JSON object per line with level, ts, logger and msg", () => {
    const out = capture();
    const log = createLogger({ write: out.write, name: "ferry", now: () => 0 });
    log
      .child({ controller: "es" }, "controller")
      .info("reconciled", { namespace: "ns", name: "a" });
    assert.equal(out.lines.length, 1);
    assert.deepEqual(JSON.parse(out.lines[0]!), {
      level: "info",
      ts: "1970-01-01T00:00:00.000Z",
      logger: "ferry.controller",
      msg: "reconciled",
      controller: "es",
      namespace: "ns",
      name: "a",
    });
  });

  it("filters by level", () => {
    const out = capture();
    const log = createLogger({ write: out.write, level: "warn" });
    log.debug("d");
    log.info("i");
    log.warn("w");
    log.error("e");
    assert.deepEqual(
      out.lines.map((l) => (JSON.parse(l) as { level: string }).level),
      ["warn", "error"],
    );
  });

  it("does not let fields overwrite the envelope", () => {
    const out = capture();
    createLogger({ write: out.write }).info("real", { msg: "fake", level: "error" });
    const line = JSON.parse(out.lines[0]!) as Record<string, unknown>;
    assert.equal(line["msg"], "real");
    assert.equal(line["level"], "info");
    assert.equal(line["field.msg"], "fake");
  });

  const cases: { name: string; fields: Record<string, unknown>; msg?: string }[] = [
    {
      name: "a Secret object",
      fields: {
        object: {
          metadata: { name: "s", namespace: "n" },
          data: { password: SECRETS[1] },
          stringData: { token: SECRETS[0] },
        },
      },
    },
    { name: "value-named fields", fields: { value: SECRETS[0], secretValue: SECRETS[3] } },
    {
      name: "password and token fields",
      fields: { dbPassword: SECRETS[0], accessToken: SECRETS[4] },
    },
    {
      name: "nested credentials",
      fields: { auth: { clientSecret: SECRETS[0], apiKey: SECRETS[3] } },
    },
    { name: "a JWT inside a message", fields: {}, msg: `login failed with ${SECRETS[2]}` },
    { name: "a bearer header inside an error", fields: { err: new Error(`Bearer ${SECRETS[4]}`) } },
    {
      name: "an error cause chain",
      fields: { err: new Error("outer", { cause: { password: SECRETS[0] } }) },
    },
    { name: "bytes", fields: { payload: Buffer.from(SECRETS[0]!) } },
    {
      name: "a URL with credentials",
      fields: { url: `https://user:${SECRETS[0]}@vault/?token=${SECRETS[4]}` },
    },
  ];
  for (const tc of cases) {
    it(`never writes secret values: ${tc.name}`, () => {
      const out = capture();
      createLogger({ write: out.write, level: "debug" }).info(tc.msg ?? "event", tc.fields);
      const text = out.lines.join("");
      for (const s of SECRETS) assert.ok(!text.includes(s), `${s} leaked in ${text}`);
      assert.doesNotThrow(() => JSON.parse(text));
    });
  }

  it("keeps names and namespaces readable", () => {
    const out = capture();
    createLogger({ write: out.write }).info("x", {
      object: { metadata: { name: "db", namespace: "prod" }, data: { a: "b" } },
    });
    const line = JSON.parse(out.lines[0]!) as { object: Record<string, unknown> };
    assert.deepEqual(line.object["metadata"], { name: "db", namespace: "prod" });
    assert.equal(line.object["data"], REDACTED);
  });
});
