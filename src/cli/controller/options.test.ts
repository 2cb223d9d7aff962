import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DEFAULT_CONTROLLER_OPTIONS, FlagError, parseControllerFlags } from "./options.ts";

describe("ferry controller flags", () => {
  it("has ESO's defaults (except --concurrent 16)", () => {
    const { options, ignored, help } = parseControllerFlags([]);
    assert.deepEqual(options, DEFAULT_CONTROLLER_OPTIONS);
    assert.equal(options.metricsAddr, ":8080");
    assert.equal(options.liveAddr, ":8082");
    assert.equal(options.concurrent, 16);
    assert.equal(options.storeRequeueIntervalMs, 300_000);
    assert.equal(options.leaderElectionId, "external-secrets-controller");
    assert.deepEqual(ignored, []);
    assert.equal(help, false);
  });

  it("parses Go-style flags: --a=b, --a b, --bool, --bool=false", () => {
    const { options } = parseControllerFlags([
      "--metrics-addr=:9090",
      "--controller-class",
      "blue",
      "--concurrent=2",
      "--enable-leader-election",
      "--enable-cluster-store-reconciler=false",
      "--store-requeue-interval=30s",
      "--leader-election-lease-duration=1m",
      "--loglevel=debug",
      "--client-qps=20",
      "--client-burst=40",
      "--namespace=team-a",
      "--unsafe-allow-generic-targets=true",
      "--template-left-delimiter=<<",
    ]);
    assert.equal(options.metricsAddr, ":9090");
    assert.equal(options.controllerClass, "blue");
    assert.equal(options.concurrent, 2);
    assert.equal(options.enableLeaderElection, true);
    assert.equal(options.enableClusterStoreReconciler, false);
    assert.equal(options.enableSecretStoreReconciler, true);
    assert.equal(options.storeRequeueIntervalMs, 30_000);
    assert.equal(options.leaderElectionLeaseDurationMs, 60_000);
    assert.equal(options.logLevel, "debug");
    assert.equal(options.clientQps, 20);
    assert.equal(options.clientBurst, 40);
    assert.equal(options.namespace, "team-a");
    assert.equal(options.unsafeAllowGenericTargets, true);
    assert.equal(options.templateLeftDelimiter, "<<");
  });

  it("accepts ESO flags it does not implement, and reports them", () => {
    const { options, ignored } = parseControllerFlags([
      "--enable-flood-gate=false",
      "--zap-time-encoding",
      "epoch",
      "--enable-secrets-caching",
      "--concurrent=1",
    ]);
    assert.deepEqual(ignored, [
      "--enable-flood-gate=false",
      "--zap-time-encoding epoch",
      "--enable-secrets-caching",
    ]);
    assert.equal(options.concurrent, 1);
  });

  it("rejects invalid values with a FlagError", () => {
    for (const args of [
      ["--concurrent=0"],
      ["--concurrent=x"],
      ["--store-requeue-interval=soon"],
      ["--enable-leader-election=maybe"],
      ["--loglevel=loud"],
      ["--refresh-time-mode=sometimes"],
      ["positional"],
      ["--metrics-addr"],
    ]) {
      assert.throws(() => parseControllerFlags(args), FlagError, args.join(" "));
    }
  });

  it("--refresh-time-mode: on-change by default, always as ESO", () => {
    assert.equal(parseControllerFlags([]).options.refreshTimeMode, "on-change");
    assert.equal(
      parseControllerFlags(["--refresh-time-mode", "always"]).options.refreshTimeMode,
      "always",
    );
  });

  it("--help", () => {
    assert.equal(parseControllerFlags(["--help"]).help, true);
    assert.equal(parseControllerFlags(["-h"]).help, true);
  });
});
