// The CRDs install into the real apiserver, `ferry crds` prints the checked-in
// bundle, objects read back with ESO's defaults, and `kubectl get` shows
// ESO's columns.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { crdsCommand } from "../../../src/cli/commands/crds.ts";
import { createNamespace, kube, uniqueName } from "../framework/env.ts";
import { CRD_BUNDLE, installCrds, kubectl, kubectlOk } from "./kubectl.ts";

/** The column headers of every table `kubectl get` printed. */
function headers(output: string): string[][] {
  return output
    .split("\n")
    .filter((line) => line.startsWith("NAME "))
    .map((line) => line.split(/ {2,}/).map((h) => h.trim()));
}

describe("Ferry's CRDs in the apiserver", () => {
  const k = kube();
  let ns: { name: string; remove: () => Promise<void> };
  const clusterStore = uniqueName("api-css");

  before(async () => {
    await installCrds();
    ns = await createNamespace(k.core, "api-crds");
  });
  after(async () => {
    await kubectl(["delete", "clustersecretstore", clusterStore, "--ignore-not-found"]);
    await ns.remove();
  });

  it("`ferry crds` prints deploy/crds/bundle.yaml", async () => {
    let printed = "";
    const code = await crdsCommand.run([], {
      stdout: (t) => (printed += t),
      stderr: () => undefined,
    });
    assert.equal(code, 0);
    assert.equal(printed, readFileSync(CRD_BUNDLE, "utf8"));
  });

  it("establishes all 25 CRDs with the component label", async () => {
    const names = await kubectlOk([
      "get",
      "crd",
      "-l",
      "external-secrets.io/component=controller",
      "-o",
      "jsonpath={range .items[*]}{.metadata.name}{'\\n'}{end}",
    ]);
    const ferry = names.split("\n").filter((n) => n.endsWith("external-secrets.io"));
    assert.equal(ferry.length, 25, names);
  });

  it("defaults an ExternalSecret like ESO and leaves the strategies unset", async () => {
    await kubectlOk(
      ["apply", "-n", ns.name, "-f", "-"],
      JSON.stringify({
        apiVersion: "external-secrets.io/v1beta1",
        kind: "ExternalSecret",
        metadata: { name: "defaults" },
        spec: {
          secretStoreRef: { kind: "SecretStore", name: "vault" },
          data: [{ secretKey: "password", remoteRef: { key: "db" } }],
          dataFrom: [{ extract: { key: "app" }, rewrite: [{ merge: {} }] }],
        },
      }),
    );
    const es = JSON.parse(
      await kubectlOk([
        "get",
        "externalsecrets.v1.external-secrets.io",
        "defaults",
        "-n",
        ns.name,
        "-o",
        "json",
      ]),
    ) as {
      apiVersion: string;
      spec: {
        refreshInterval: string;
        target: Record<string, string>;
        data: { remoteRef: Record<string, string> }[];
        dataFrom: { rewrite: { merge: Record<string, string> }[] }[];
      };
    };
    assert.equal(es.apiVersion, "external-secrets.io/v1");
    assert.equal(es.spec.refreshInterval, "1h0m0s");
    assert.deepEqual(es.spec.target, { creationPolicy: "Owner", deletionPolicy: "Retain" });
    assert.deepEqual(es.spec.data[0]?.remoteRef, { key: "db" });
    assert.deepEqual(es.spec.dataFrom[0]?.rewrite[0]?.merge, {
      conflictPolicy: "Error",
      into: "",
      priorityPolicy: "Strict",
      strategy: "Extract",
    });
  });

  it("shows ESO's columns in `kubectl get es,ss,css`", async () => {
    await kubectlOk(
      ["apply", "-n", ns.name, "-f", "-"],
      JSON.stringify({
        apiVersion: "external-secrets.io/v1",
        kind: "SecretStore",
        metadata: { name: "fake" },
        spec: { provider: { fake: { data: [{ key: "k", value: "v" }] } } },
      }),
    );
    await kubectlOk(
      ["apply", "-f", "-"],
      JSON.stringify({
        apiVersion: "external-secrets.io/v1",
        kind: "ClusterSecretStore",
        metadata: { name: clusterStore },
        spec: { provider: { fake: { data: [{ key: "k", value: "v" }] } } },
      }),
    );
    await kubectlOk(
      ["apply", "-n", ns.name, "-f", "-"],
      JSON.stringify({
        apiVersion: "external-secrets.io/v1",
        kind: "ExternalSecret",
        metadata: { name: "columns" },
        spec: {
          secretStoreRef: { kind: "SecretStore", name: "fake" },
          data: [{ secretKey: "k", remoteRef: { key: "k" } }],
        },
      }),
    );
    const output = await kubectlOk(["get", "es,ss,css", "-n", ns.name]);
    assert.deepEqual(
      headers(output),
      [
        ["NAME", "STORETYPE", "STORE", "REFRESH INTERVAL", "STATUS", "READY", "LAST SYNC"],
        ["NAME", "AGE", "STATUS", "CAPABILITIES", "READY"],
        ["NAME", "AGE", "STATUS", "CAPABILITIES", "READY"],
      ],
      output,
    );
    assert.match(
      output,
      /externalsecret\.external-secrets\.io\/columns\s+SecretStore\s+fake\s+1h0m0s/,
    );
  });

  it("finds ExternalSecrets by selectable field", async () => {
    const output = await kubectlOk([
      "get",
      "es",
      "-n",
      ns.name,
      "--field-selector",
      "spec.secretStoreRef.name=fake",
      "-o",
      "name",
    ]);
    assert.equal(output.trim(), "externalsecret.external-secrets.io/columns");
  });
});
