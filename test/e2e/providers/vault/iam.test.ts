// iam auth (Vault's aws auth method) through the controller, with IRSA: a
// ServiceAccount token from the real apiserver's TokenRequest, exchanged at
// moto's STS (AssumeRoleWithWebIdentity, then AssumeRole for auth.iam.role),
// and the signed GetCallerIdentity login request.
//
// What is and is not proven here:
// - OpenBao 2.7.2 (the test environment's) ships no aws auth method at all
//   (it moved to openbao-plugins, which no reachable registry publishes);
//   the test checks that, then plays the aws auth method's part in a proxy
//   in front of a private OpenBao: it takes POST auth/aws/login, decodes the
//   login request as Vault does (method, URL, body, headers), checks the
//   server-ID header is present and signed, replays the signed request to
//   STS (moto) with its Host header — what Vault's aws auth does — and, when
//   STS names the expected assumed role, answers with a real OpenBao token
//   minted for the role's policy. Every other request (KV reads, renewals,
//   revocations) reaches the real OpenBao.
// - moto checks no SigV4 signature and no web-identity token: that the
//   signature is what AWS would accept is proven by the unit test that
//   compares it with the AWS SDK's own signer (auth/cloud.test.ts), not here.
// - Proven here: the TokenRequest audiences reach STS, moto's STS returns
//   credentials for the role of the ServiceAccount's annotation (and then for
//   auth.iam.role), the login is signed with those credentials (moto maps the
//   access key back to the assumed role), the whole chain runs inside the
//   controller and the ExternalSecret gets its value.
import assert from "node:assert/strict";
import { request } from "node:http";
import { after, before, describe, it } from "node:test";
import { CORE } from "../../../../src/runtime/index.ts";
import { installCrds, testClient } from "../../controllers/framework.ts";
import { createEs, decode, Namespaces, waitSecret } from "../../controllers/es-helpers.ts";
import { testEnv } from "../../framework/env.ts";
import { BaoServer } from "./bao-server.ts";
import {
  createStore,
  putKv,
  startVaultController,
  vaultStoreObject,
  waitStore,
  type StoreId,
  type VaultController,
} from "./controller-helpers.ts";
import { CountingProxy, type Intercepted } from "./counting-proxy.ts";
import { Bao, suffix } from "./helpers.ts";

const client = testClient();
const namespaces = new Namespaces();
const SERVER_ID = "vault.ferry.test";
let server: BaoServer;
let proxy: CountingProxy;
let vc: VaultController | undefined;

/** What the emulated aws auth method saw and concluded, per login. */
interface AwsLogin {
  readonly role: string;
  readonly method: string;
  readonly url: string;
  readonly body: string;
  readonly headers: Record<string, string[]>;
  readonly stsStatus: number;
  readonly arn: string | undefined;
}

const logins: AwsLogin[] = [];
/** Vault role → the IAM principal it is bound to (as bound_iam_principal_arn, by role name). */
const boundRoles = new Map<string, string>();

function decodeLogin(raw: string): Omit<AwsLogin, "stsStatus" | "arn"> {
  const body = JSON.parse(raw) as Record<string, string>;
  const dec = (k: string): string => Buffer.from(body[k] ?? "", "base64").toString("utf8");
  return {
    role: body["role"] ?? "",
    method: body["iam_http_request_method"] ?? "",
    url: dec("iam_request_url"),
    body: dec("iam_request_body"),
    headers: JSON.parse(dec("iam_request_headers") || "{}") as Record<string, string[]>,
  };
}

/** Sends the signed request to STS as Vault does: to its STS endpoint, with the signed Host. */
function replayToSts(login: Omit<AwsLogin, "stsStatus" | "arn">): Promise<{
  status: number;
  text: string;
}> {
  const sts = new URL(testEnv().moto.endpoint);
  const signed = new URL(login.url);
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(login.headers)) headers[k] = v.join(",");
  headers["host"] = signed.host;
  return new Promise((resolve, reject) => {
    const req = request(
      { host: sts.hostname, port: sts.port, path: signed.pathname, method: login.method, headers },
      (res) => {
        let text = "";
        res.on("data", (c: Buffer) => (text += c.toString()));
        res.on("end", () => {
          resolve({ status: res.statusCode ?? 0, text });
        });
      },
    );
    req.on("error", reject);
    req.end(login.body);
  });
}

/** The checks of Vault's aws auth (iam type) before it calls STS. */
function vaultChecks(login: Omit<AwsLogin, "stsStatus" | "arn">): string | undefined {
  if (login.method !== "POST") return "iam_http_request_method must be POST";
  if (new URL(login.url).search !== "") return "iam_request_url must have no query";
  const action = new URLSearchParams(login.body).getAll("Action");
  if (action.length !== 1 || action[0] !== "GetCallerIdentity") return "not GetCallerIdentity";
  const serverId = login.headers["x-vault-aws-iam-server-id"]?.[0];
  const authz = login.headers["authorization"]?.[0] ?? "";
  if (serverId !== SERVER_ID) return "missing or wrong X-Vault-AWS-IAM-Server-ID";
  if (!/SignedHeaders=[^,]*x-vault-aws-iam-server-id/.test(authz)) return "server ID not signed";
  return undefined;
}

/** Plays OpenBao's missing aws auth method: decode, check, replay to STS, mint a real token. */
async function awsLogin(raw: string, bao: Bao): Promise<Intercepted> {
  const login = decodeLogin(raw);
  const refused = vaultChecks(login);
  if (refused !== undefined) {
    logins.push({ ...login, stsStatus: 0, arn: undefined });
    return { status: 400, body: { errors: [refused] } };
  }
  const sts = await replayToSts(login);
  const arn = /<Arn>([^<]+)<\/Arn>/.exec(sts.text)?.[1];
  logins.push({ ...login, stsStatus: sts.status, arn });
  const bound = boundRoles.get(login.role);
  const roleName = /^arn:aws:sts::\d+:assumed-role\/([^/]+)\//.exec(arn ?? "")?.[1];
  if (sts.status !== 200 || bound === undefined || roleName !== bound) {
    return { status: 403, body: { errors: ["permission denied"] } };
  }
  const token = (await bao.call("POST", "auth/token/create", {
    policies: ["eso"],
    ttl: "1h",
    meta: { aws_role: login.role },
  })) as { auth: Record<string, unknown> };
  return { status: 200, body: { auth: token.auth } };
}

before(async () => {
  await installCrds();
  server = await BaoServer.start();
  const bao = server.bao;
  await bao.call("PUT", "sys/policies/acl/eso", {
    policy: 'path "secret/*" { capabilities = ["read", "list"] }',
  });
  await putKv(bao, { mount: "secret", version: "v2" }, "app", { password: "via-iam" });
  proxy = await new CountingProxy(server.address, {
    intercept: (req) =>
      req.method === "POST" && req.path === "/v1/auth/aws/login"
        ? awsLogin(req.body, bao)
        : Promise.resolve(undefined),
  }).start();
  vc = await startVaultController({
    provider: { env: { AWS_STS_ENDPOINT: testEnv().moto.endpoint } },
  });
});

after(async () => {
  await vc?.ctl.stop();
  await namespaces.removeAll();
  await proxy.close();
  await server.close();
});

async function irsaServiceAccount(ns: string, roleName: string): Promise<void> {
  await client.create(
    CORE.serviceAccounts,
    {
      apiVersion: "v1",
      kind: "ServiceAccount",
      metadata: {
        name: "irsa",
        namespace: ns,
        annotations: { "eks.amazonaws.com/role-arn": `arn:aws:iam::123456789012:role/${roleName}` },
      },
    },
    { namespace: ns },
  );
}

async function syncThroughIam(ns: string, iam: Record<string, unknown>): Promise<void> {
  const store: StoreId = { kind: "SecretStore", name: "iam", namespace: ns };
  await createStore(
    client,
    vaultStoreObject(store, {
      server: proxy.address,
      path: "secret",
      version: "v2",
      auth: { iam: { vaultAwsIamServerID: SERVER_ID, ...iam } },
    }),
  );
  await waitStore(client, store, "True");
  await createEs(client, ns, "es", {
    refreshInterval: "1h",
    secretStoreRef: { name: "iam", kind: "SecretStore" },
    target: { name: "target" },
    data: [{ secretKey: "password", remoteRef: { key: "app", property: "password" } }],
  });
  await waitSecret(client, ns, "target", (s) => decode(s)["password"] === "via-iam");
}

describe("iam auth (IRSA through moto's STS) through the controller", () => {
  it("OpenBao 2.7.2 has no aws auth method (why its part is played by the test)", async () => {
    const shared = new Bao();
    await assert.rejects(
      shared.call("POST", `sys/auth/aws-probe-${suffix()}`, { type: "aws" }),
      /plugin not found in the catalog: aws/,
    );
  });

  it("jwt.serviceAccountRef: TokenRequest → AssumeRoleWithWebIdentity → signed login → synced", async () => {
    const ns = (await namespaces.create("vault-iam")).name;
    const roleName = `ferry-irsa-${suffix()}`;
    boundRoles.set("irsa-role", roleName);
    await irsaServiceAccount(ns, roleName);
    const before = logins.length;
    await syncThroughIam(ns, {
      vaultRole: "irsa-role",
      jwt: { serviceAccountRef: { name: "irsa" } },
    });
    const mine = logins.slice(before);
    assert.equal(mine.length, 1, JSON.stringify(mine.map((l) => l.arn)));
    const login = mine[0];
    assert.ok(login !== undefined);
    assert.equal(login.role, "irsa-role");
    assert.equal(login.url, "https://sts.amazonaws.com/");
    assert.equal(login.stsStatus, 200);
    // moto's answer: the credentials belong to the ServiceAccount's role, session named as ESO does
    assert.equal(
      login.arn,
      `arn:aws:sts::123456789012:assumed-role/${roleName}/external-secrets-provider-vault`,
    );
    assert.match(
      login.headers["authorization"]?.[0] ?? "",
      /Credential=\w+\/\d{8}\/us-east-1\/sts\/aws4_request/,
    );
    assert.ok((login.headers["x-amz-security-token"]?.[0] ?? "") !== "");
  });

  it("role and externalID: AssumeRole after the web identity, the login signed as that role", async () => {
    const ns = (await namespaces.create("vault-iam-role")).name;
    const webRole = `ferry-irsa-${suffix()}`;
    const target = `ferry-target-${suffix()}`;
    boundRoles.set("target-role", target);
    await irsaServiceAccount(ns, webRole);
    const before = logins.length;
    await syncThroughIam(ns, {
      vaultRole: "target-role",
      role: `arn:aws:iam::123456789012:role/${target}`,
      externalID: "ferry-external-id",
      jwt: { serviceAccountRef: { name: "irsa" } },
    });
    const login = logins.slice(before)[0];
    assert.ok(login !== undefined);
    assert.match(
      login.arn ?? "",
      new RegExp(`^arn:aws:sts::123456789012:assumed-role/${target}/aws-go-sdk-\\d+$`),
    );
  });

  it("a ServiceAccount without the role annotation: the store says what to set", async () => {
    const ns = (await namespaces.create("vault-iam-noanno")).name;
    await client.create(
      CORE.serviceAccounts,
      { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "plain", namespace: ns } },
      { namespace: ns },
    );
    const store: StoreId = { kind: "SecretStore", name: "iam", namespace: ns };
    await createStore(
      client,
      vaultStoreObject(store, {
        server: proxy.address,
        path: "secret",
        auth: { iam: { vaultRole: "irsa-role", jwt: { serviceAccountRef: { name: "plain" } } } },
      }),
    );
    const ready = await waitStore(client, store, "False");
    assert.match(ready.message ?? "", /an IAM role must be associated with service account plain/);
    assert.match(ready.message ?? "", /eks\.amazonaws\.com\/role-arn/);
  });
});
