import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { NotSupportedError, StoreValidationError } from "../errors.ts";
import { awsStore, ctx, harness, staticAuth } from "./testing.ts";

describe("aws validateStore", () => {
  const h = harness();
  const cases: {
    name: string;
    store: ReturnType<typeof awsStore>;
    error?: RegExp;
    warnings?: number;
  }[] = [
    { name: "static auth", store: awsStore({ auth: staticAuth() }), warnings: 0 },
    { name: "empty region", store: awsStore({ region: "" }), error: /region is required/ },
    { name: "bad region", store: awsStore({ region: "Mars" }), error: /invalid region/ },
    {
      name: "foreign namespace in a SecretStore",
      store: awsStore({ auth: staticAuth("other") }),
      error: /namespace/,
    },
    {
      name: "ClusterSecretStore may omit namespaces",
      store: awsStore({ auth: staticAuth() }, { kind: "ClusterSecretStore" }),
      warnings: 0,
    },
    {
      name: "recovery window",
      store: awsStore({ secretsManager: { recoveryWindowInDays: 3 } }),
      error: /between 7 and 30/,
    },
    {
      name: "force and window",
      store: awsStore({
        secretsManager: { recoveryWindowInDays: 7, forceDeleteWithoutRecovery: true },
      }),
      error: /exclude/,
    },
    {
      name: "CertificateManager warns",
      store: awsStore({ service: "CertificateManager" }),
      warnings: 1,
    },
    {
      name: "maxRetries 0 warns",
      store: {
        ...awsStore({}),
        spec: { ...awsStore({}).spec, retrySettings: { maxRetries: 0 } },
      },
      warnings: 1,
    },
    {
      name: "bad retryInterval",
      store: {
        ...awsStore({}),
        spec: { ...awsStore({}).spec, retrySettings: { retryInterval: "soon" } },
      },
      error: /retryInterval/,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      if (c.error !== undefined) {
        assert.throws(
          () => h.provider.validateStore(c.store),
          (err: unknown) =>
            err instanceof StoreValidationError && c.error?.test(err.message) === true,
        );
      } else {
        assert.equal(h.provider.validateStore(c.store).warnings.length, c.warnings);
      }
    });
  }

  it("newClient refuses CertificateManager as not supported", async () => {
    await assert.rejects(
      h.provider.newClient(ctx(), awsStore({ service: "CertificateManager" }), h.kube, "apps"),
      NotSupportedError,
    );
  });

  it("reuses one SDK client per credential identity", async () => {
    const h2 = harness();
    for (let i = 0; i < 5; i++)
      await h2.provider.newClient(ctx(), awsStore({ auth: staticAuth() }), h2.kube, "apps");
    assert.equal(h2.provider.stats.clientsCreated, 1);
  });
});
