// The AWS manifests users copy from tutorials (test/fixtures/field-manifests,
// the repository's copy of shared/fixtures/field-manifests.yaml) applied
// with kubectl as written, then acted on by the controller against moto.
//
// Adjusted, and only that: namespaces (each tutorial namespace becomes a
// fresh test namespace), the ClusterSecretStore's name (cluster-wide), and
// `spec.controller` on the stores (this suite's controller class, so that
// other controllers running against the shared test apiserver leave them
// alone). Endpoints come from the variables ESO reads. What the tutorials
// assume exists is created as their readers would: ServiceAccounts annotated
// with an IAM role, the static-keys Secret, and the remote secrets (in each
// store's region, with fresh values every run).
//
// The ExternalSecrets of namespace `default` name a SecretStore
// `aws-secrets-manager`, which the fixtures define in other namespaces only
// (the one in `default` is the legacy manifest the apiserver refuses): that
// namespace gets the fixture's first `aws-secrets-manager` store.
import { CreateSecretCommand, PutSecretValueCommand } from "@aws-sdk/client-secrets-manager";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { parse, stringify } from "yaml";
import { installCrds, kubectl, kubectlOk, REPO_ROOT } from "../../api/kubectl.ts";
import { ESO, testClient } from "../../controllers/framework.ts";
import {
  decode,
  Namespaces,
  readyOf,
  waitSecret,
  waitStoreReady,
  type Es,
} from "../../controllers/es-helpers.ts";
import { eventually, testEnv, uniqueName } from "../../framework/env.ts";
import { startAwsController, type AwsController } from "./controller-helpers.ts";
import { countingProxy, seedSm, type CountingProxy } from "./helpers.ts";

const FIXTURES = join(REPO_ROOT, "test", "fixtures", "field-manifests");
const client = testClient();

interface Manifest {
  kind: string;
  metadata: { name: string; namespace?: string };
  spec: Record<string, unknown>;
}

const fixture = (file: string): Manifest =>
  parse(readFileSync(join(FIXTURES, file), "utf8")) as Manifest;

/** An IAM role per test namespace, as eksctl would create and annotate. */
const roleFor = (ns: string, sa: string): string => `arn:aws:iam::123456789012:role/${ns}-${sa}`;

const fresh = (what: string): string => `${what}-${randomBytes(4).toString("hex")}`;

/** Creates the secret in `region`, or adds a version when an earlier run left it there. */
async function upsert(region: string, name: string, value: Record<string, unknown>): Promise<void> {
  const sm = seedSm(region);
  const text = JSON.stringify(value);
  try {
    await sm.send(new CreateSecretCommand({ Name: name, SecretString: text }));
  } catch (err) {
    if ((err as { name?: string }).name !== "ResourceExistsException") throw err;
    await sm.send(new PutSecretValueCommand({ SecretId: name, SecretString: text }));
  } finally {
    sm.destroy();
  }
}

describe("AWS field manifests from tutorials, applied with kubectl and synced from moto", () => {
  let proxy: CountingProxy;
  let aws: AwsController;
  const namespaces = new Namespaces();
  /** Tutorial namespace → test namespace. */
  const ns = new Map<string, string>();
  let clusterStore = "";

  const at = (tutorialNamespace: string): string => {
    const mapped = ns.get(tutorialNamespace);
    assert.ok(mapped, `no test namespace for ${tutorialNamespace}`);
    return mapped;
  };

  /** The manifest with the adjustments described at the top of this file. */
  function adjusted(m: Manifest, namespace?: string): Manifest {
    const copy = structuredClone(m);
    if (copy.metadata.namespace !== undefined) {
      copy.metadata.namespace = namespace ?? at(copy.metadata.namespace);
    }
    if (copy.kind === "ClusterSecretStore") copy.metadata.name = clusterStore;
    if (copy.kind.endsWith("SecretStore")) copy.spec["controller"] = aws.controllerClass;
    return copy;
  }

  async function apply(m: Manifest): Promise<void> {
    await kubectlOk(["apply", "-f", "-"], stringify(m));
  }

  async function serviceAccount(tutorialNamespace: string, name: string): Promise<void> {
    const namespace = at(tutorialNamespace);
    await kubectlOk(
      ["apply", "-f", "-"],
      stringify({
        apiVersion: "v1",
        kind: "ServiceAccount",
        metadata: {
          name,
          namespace,
          annotations: { "eks.amazonaws.com/role-arn": roleFor(namespace, name) },
        },
      }),
    );
  }

  before(async () => {
    await installCrds();
    proxy = await countingProxy();
    aws = await startAwsController(proxy.endpoint);
    clusterStore = uniqueName("global-aws-secrets");
    for (const tutorial of [
      "my-app-namespace",
      "default",
      "external-secrets-system",
      "tenant-a",
      "app",
      "payments",
    ]) {
      ns.set(tutorial, (await namespaces.create(`eso-aws-${tutorial}`.slice(0, 40))).name);
    }
  });
  after(async () => {
    await aws.ctl.stop();
    await proxy.close();
    if (clusterStore !== "") {
      await client.delete(ESO.clusterSecretStores, clusterStore).catch(() => undefined);
    }
    await namespaces.removeAll();
  });

  it("IRSA SecretStore + ExternalSecret (my-app-namespace, ap-south-1)", async () => {
    const password = fresh("mysql-pw");
    await upsert("ap-south-1", "prod/rds/mysql/credentials", { username: "app", password });
    await serviceAccount("my-app-namespace", "eso-service-account");
    await apply(adjusted(fixture("valid/01-secretstore-aws-secrets-manager.yaml")));
    await waitStoreReady(client, at("my-app-namespace"), "aws-secrets-manager");
    await apply(adjusted(fixture("valid/02-externalsecret-fetch-db-password.yaml")));
    const secret = await waitSecret(
      client,
      at("my-app-namespace"),
      "app-db-secret",
      (s) => decode(s)["db_password"] === password,
    );
    assert.deepEqual(Object.keys(decode(secret)), ["db_password"]);
    const exchange = proxy.requests.find(
      (r) =>
        r.operation === "AssumeRoleWithWebIdentity" &&
        r.params.get("RoleArn") === roleFor(at("my-app-namespace"), "eso-service-account"),
    );
    assert.ok(exchange, "the store's ServiceAccount was exchanged for a session");
  });

  it("three ExternalSecrets of namespace default: data, dataFrom extract, and a config template", async () => {
    const password = fresh("db-pw");
    const apiKey = fresh("api-key");
    await upsert("ap-south-1", "prod/database", {
      host: "db.internal.example",
      port: 5432,
      username: "admin",
      password,
    });
    await upsert("ap-south-1", "prod/app", { API_KEY: apiKey, FEATURE_FLAGS: "beta" });
    await serviceAccount("default", "eso-service-account");
    await apply(adjusted(fixture("valid/01-secretstore-aws-secrets-manager.yaml"), at("default")));
    await waitStoreReady(client, at("default"), "aws-secrets-manager");
    for (const file of [
      "valid/04-externalsecret-database-credentials.yaml",
      "valid/06-externalsecret-rotating-secret.yaml",
      "valid/07-externalsecret-config-secret.yaml",
    ]) {
      await apply(adjusted(fixture(file)));
    }
    const namespace = at("default");
    const creds = await waitSecret(
      client,
      namespace,
      "db-credentials",
      (s) => decode(s)["password"] === password,
    );
    assert.deepEqual(decode(creds), { username: "admin", password });
    const app = await waitSecret(
      client,
      namespace,
      "app-secret",
      (s) => decode(s)["API_KEY"] === apiKey,
    );
    assert.deepEqual(decode(app), { API_KEY: apiKey, FEATURE_FLAGS: "beta" });
    const config = await waitSecret(client, namespace, "app-config", (s) =>
      (decode(s)["config.yaml"] ?? "").includes(password),
    );
    assert.deepEqual(decode(config), {
      "config.yaml": [
        "database:",
        "  host: db.internal.example",
        "  port: 5432",
        "  username: admin",
        `  password: ${password}`,
        "",
      ].join("\n"),
    });
    assert.equal(config.type, "Opaque");
  });

  it("payments: IRSA SecretStore (us-east-1) + ExternalSecret with three properties", async () => {
    const password = fresh("pg-pw");
    await upsert("us-east-1", "production/payments/postgres", {
      username: "payments",
      password,
      database: "ledger",
    });
    await serviceAccount("payments", "eso-sa");
    await apply(adjusted(fixture("valid/17-secretstore-aws-secrets-manager.yaml")));
    await waitStoreReady(client, at("payments"), "aws-secrets-manager");
    await apply(adjusted(fixture("valid/18-externalsecret-postgres-credentials-sync.yaml")));
    const secret = await waitSecret(
      client,
      at("payments"),
      "postgres-credentials",
      (s) => decode(s)["POSTGRES_PASSWORD"] === password,
    );
    assert.deepEqual(decode(secret), {
      POSTGRES_USER: "payments",
      POSTGRES_PASSWORD: password,
      POSTGRES_DB: "ledger",
    });
  });

  it("stores without ExternalSecrets become Ready: IRSA ClusterSecretStore, tenant SecretStore, static keys", async () => {
    await serviceAccount("external-secrets-system", "external-secrets-sa");
    await serviceAccount("tenant-a", "tenant-a-sa");
    const moto = testEnv().moto;
    await kubectlOk(
      ["apply", "-f", "-"],
      stringify({
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: "aws-credentials", namespace: at("app") },
        stringData: { "access-key": moto.accessKeyId, "secret-access-key": moto.secretAccessKey },
      }),
    );
    const css = adjusted(fixture("valid/05-clustersecretstore-global-aws-secrets.yaml"));
    // The ServiceAccount's namespace is a tutorial namespace too.
    const provider = css.spec["provider"] as {
      aws: { auth: { jwt: { serviceAccountRef: { namespace: string } } } };
    };
    const saRef = provider.aws.auth.jwt.serviceAccountRef;
    saRef.namespace = at(saRef.namespace);
    await apply(css);
    await apply(adjusted(fixture("valid/08-secretstore-tenant-a-secrets.yaml")));
    await apply(adjusted(fixture("valid/15-secretstore-aws-secretsmanager.yaml")));
    await eventually(`ClusterSecretStore ${clusterStore} Ready`, async () => {
      const store = await client.get<Es>(ESO.clusterSecretStores, clusterStore);
      return readyOf(store)?.status === "True";
    });
    await waitStoreReady(client, at("tenant-a"), "tenant-a-secrets");
    await waitStoreReady(client, at("app"), "aws-secretsmanager");
    // The ClusterSecretStore names its ServiceAccount's namespace: validating it
    // exchanged that ServiceAccount's token for a session.
    const role = roleFor(at("external-secrets-system"), "external-secrets-sa");
    assert.ok(
      proxy.requests.some(
        (r) => r.operation === "AssumeRoleWithWebIdentity" && r.params.get("RoleArn") === role,
      ),
    );
  });

  it("the legacy auth.serviceAccount manifest is refused by the apiserver with the field named", async () => {
    const legacy = adjusted(
      fixture("refused/03-secretstore-aws-secrets-manager-legacy-auth.yaml"),
      at("default"),
    );
    const result = await kubectl(["apply", "-f", "-"], stringify(legacy));
    assert.notEqual(result.code, 0, result.stdout);
    assert.match(result.stderr, /unknown field "spec\.provider\.aws\.auth\.serviceAccount"/);
  });
});
