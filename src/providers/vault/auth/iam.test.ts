// iam auth: where the AWS credentials come from (ServiceAccount → STS
// AssumeRoleWithWebIdentity, static keys, the controller's IRSA token or
// Pod Identity, then AssumeRole) and the signed login request Vault gets,
// with a fake STS and a local HTTP server in Vault's place.
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, beforeEach, describe, it } from "node:test";
import type { KubeAccess, SecretObject } from "../../../esutils/kube-access.ts";
import type { GenericStore } from "../../../esutils/store.ts";
import { ProviderError, StoreValidationError } from "../../errors.ts";
import { VaultHttp } from "../client.ts";
import type { AuthInput } from "./common.ts";
import { prepareIam } from "./iam.ts";
import { serviceAccountOfToken, type Env, type IamAuth, type IamDeps } from "./iam-credentials.ts";
import type { AssumeRoleInput, AwsCredentials, StsConfig, WebIdentityInput } from "./sts.ts";

let server: Server;
let address = "";
let bodies: Record<string, string>[] = [];
let paths: string[] = [];

before(async () => {
  server = createServer((req, res) => {
    let raw = "";
    req.on("data", (c: Buffer) => (raw += c.toString()));
    req.on("end", () => {
      paths.push(req.url ?? "");
      bodies.push(JSON.parse(raw) as Record<string, string>);
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ auth: { client_token: "t", lease_duration: 60, renewable: true } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  address = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
});

after(() => {
  server.close();
});

interface StsCall {
  readonly op: string;
  readonly config: StsConfig;
  readonly input: WebIdentityInput | AssumeRoleInput | undefined;
  readonly signedWith?: AwsCredentials;
}

let stsCalls: StsCall[] = [];
let tokenRequests: { namespace: string; name: string; audiences: readonly string[] }[] = [];

beforeEach(() => {
  stsCalls = [];
  tokenRequests = [];
  bodies = [];
  paths = [];
});

const WEB = { accessKeyId: "ASIAWEB", secretAccessKey: "web-secret", sessionToken: "web-session" };
const ROLE = { accessKeyId: "ASIAROLE", secretAccessKey: "role-secret", sessionToken: "role-sess" };
const POD = { accessKeyId: "ASIAPOD", secretAccessKey: "pod-secret", sessionToken: "pod-sess" };

function deps(env: Env = {}, files: Record<string, string> = {}): IamDeps {
  return {
    env,
    now: () => Date.parse("2026-03-04T05:06:07Z"),
    readFile: (path) => {
      const text = files[path];
      return text === undefined
        ? Promise.reject(new Error(`ENOENT: ${path}`))
        : Promise.resolve(text);
    },
    sts: (config) => ({
      assumeRoleWithWebIdentity: (input) => {
        stsCalls.push({ op: "AssumeRoleWithWebIdentity", config, input });
        return Promise.resolve(WEB);
      },
      assumeRole: (credentials, input) => {
        stsCalls.push({ op: "AssumeRole", config, input, signedWith: credentials });
        return Promise.resolve(ROLE);
      },
      defaultChain: () => {
        stsCalls.push({ op: "defaultChain", config, input: undefined });
        return Promise.resolve(POD);
      },
    }),
  };
}

const accounts: Record<string, Record<string, string>> = {
  "app/irsa": { "eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/eso" },
  "app/custom-aud": {
    "eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/eso",
    "eks.amazonaws.com/audience": "my-aud",
  },
  "app/plain": {},
  "ferry/controller": { "eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/ctl" },
};

const secrets: Record<string, Record<string, string>> = {
  "app/aws": { id: "AKIASTATIC", secret: "static-secret" },
};

const kube: KubeAccess = {
  getSecret(namespace, name): Promise<SecretObject | undefined> {
    const data = secrets[`${namespace}/${name}`];
    if (data === undefined) return Promise.resolve(undefined);
    return Promise.resolve({
      namespace,
      name,
      resourceVersion: "3",
      labels: {},
      annotations: {},
      data: new Map(Object.entries(data).map(([k, v]) => [k, new Uint8Array(Buffer.from(v))])),
    });
  },
  getConfigMap: () => Promise.resolve(undefined),
  getServiceAccount: (namespace, name) => {
    const annotations = accounts[`${namespace}/${name}`];
    return Promise.resolve(
      annotations === undefined ? undefined : { namespace, name, annotations },
    );
  },
  createServiceAccountToken: (namespace, name, options) => {
    tokenRequests.push({ namespace, name, audiences: options.audiences ?? [] });
    return Promise.resolve({ token: `sa-jwt-${name}`, expiresAt: Date.now() + 600_000 });
  },
};

function input(kind: GenericStore["kind"] = "SecretStore"): AuthInput {
  const store: GenericStore = {
    kind,
    metadata: { name: "s", ...(kind === "SecretStore" ? { namespace: "app" } : {}) },
    spec: { provider: { vault: { server: address } } },
  };
  return {
    store,
    kube,
    namespace: "app",
    http: new VaultHttp({ address }),
    authNamespace: undefined,
    signal: new AbortController().signal,
  };
}

const iam = (spec: Partial<IamAuth>): IamAuth => ({ vaultRole: "vault-role", ...spec });

/** The login body Vault got, decoded as Vault decodes it. */
function decoded(body: Record<string, string> | undefined): {
  role: string | undefined;
  method: string | undefined;
  url: string;
  body: string;
  headers: Record<string, string[]>;
} {
  const dec = (k: string): string => Buffer.from(body?.[k] ?? "", "base64").toString("utf8");
  return {
    role: body?.["role"],
    method: body?.["iam_http_request_method"],
    url: dec("iam_request_url"),
    body: dec("iam_request_body"),
    headers: JSON.parse(dec("iam_request_headers")) as Record<string, string[]>,
  };
}

describe("iam auth credentials", () => {
  it("jwt.serviceAccountRef: TokenRequest, AssumeRoleWithWebIdentity, login signed with its keys", async () => {
    const env = { AWS_STS_ENDPOINT: "http://127.0.0.1:4566" };
    const prepared = await prepareIam(
      input(),
      iam({
        path: "aws-east",
        region: "eu-west-1",
        vaultAwsIamServerID: "vault.example.com",
        jwt: { serviceAccountRef: { name: "irsa", audiences: ["extra"] } },
      }),
      deps(env),
    );
    // preparing reads the ServiceAccount only: STS and TokenRequest wait for the login
    assert.equal(stsCalls.length, 0);
    assert.equal(tokenRequests.length, 0);
    assert.match(prepared.description, /IRSA via ServiceAccount app\/irsa/);
    assert.ok(prepared.login !== undefined);
    await prepared.login();
    assert.deepEqual(tokenRequests, [
      { namespace: "app", name: "irsa", audiences: ["sts.amazonaws.com", "extra"] },
    ]);
    assert.equal(stsCalls.length, 1);
    assert.equal(stsCalls[0]?.op, "AssumeRoleWithWebIdentity");
    assert.deepEqual(stsCalls[0].input, {
      roleArn: "arn:aws:iam::123456789012:role/eso",
      sessionName: "external-secrets-provider-vault",
      webIdentityToken: "sa-jwt-irsa",
    });
    assert.equal(stsCalls[0].config.region, "eu-west-1");
    assert.equal(stsCalls[0].config.endpoint, "http://127.0.0.1:4566");
    assert.deepEqual(paths, ["/v1/auth/aws-east/login"]);
    const login = decoded(bodies[0]);
    assert.equal(login.role, "vault-role");
    assert.equal(login.method, "POST");
    assert.equal(login.url, "https://sts.eu-west-1.amazonaws.com/");
    assert.equal(login.body, "Action=GetCallerIdentity&Version=2011-06-15");
    assert.deepEqual(login.headers["x-amz-security-token"], ["web-session"]);
    assert.deepEqual(login.headers["x-vault-aws-iam-server-id"], ["vault.example.com"]);
    const authz = login.headers["authorization"]?.[0] ?? "";
    assert.match(
      authz,
      /^AWS4-HMAC-SHA256 Credential=ASIAWEB\/20260304\/eu-west-1\/sts\/aws4_request/,
    );
    assert.match(authz, /SignedHeaders=[^,]*x-vault-aws-iam-server-id/);
    assert.ok(!JSON.stringify(bodies).includes("web-secret"));
  });

  it("the audience annotation replaces sts.amazonaws.com", async () => {
    const prepared = await prepareIam(
      input(),
      iam({ jwt: { serviceAccountRef: { name: "custom-aud" } } }),
      deps(),
    );
    await prepared.login?.();
    assert.deepEqual(tokenRequests[0]?.audiences, ["my-aud"]);
    // us-east-1 by default, and the global STS endpoint
    assert.equal(stsCalls[0]?.config.region, "us-east-1");
    assert.equal(decoded(bodies[0]).url, "https://sts.amazonaws.com/");
  });

  it("role and externalID: AssumeRole with the first credentials; the login uses the role's", async () => {
    const prepared = await prepareIam(
      input(),
      iam({
        role: "arn:aws:iam::123456789012:role/target",
        externalID: "ext-1",
        jwt: { serviceAccountRef: { name: "irsa" } },
      }),
      deps(),
    );
    await prepared.login?.();
    assert.deepEqual(
      stsCalls.map((c) => c.op),
      ["AssumeRoleWithWebIdentity", "AssumeRole"],
    );
    const assume = stsCalls[1];
    assert.deepEqual(assume?.signedWith, WEB);
    assert.equal(
      (assume.input as AssumeRoleInput).roleArn,
      "arn:aws:iam::123456789012:role/target",
    );
    assert.equal((assume.input as AssumeRoleInput).externalId, "ext-1");
    assert.match((assume.input as AssumeRoleInput).sessionName, /^aws-go-sdk-\d+$/);
    assert.match(decoded(bodies[0]).headers["authorization"]?.[0] ?? "", /Credential=ASIAROLE\//);
    assert.deepEqual(decoded(bodies[0]).headers["x-amz-security-token"], ["role-sess"]);
  });

  it("static keys from secretRef, then AssumeRole", async () => {
    const prepared = await prepareIam(
      input(),
      iam({
        role: "arn:aws:iam::123456789012:role/target",
        secretRef: {
          accessKeyIDSecretRef: { name: "aws", key: "id" },
          secretAccessKeySecretRef: { name: "aws", key: "secret" },
        },
      }),
      deps(),
    );
    await prepared.login?.();
    assert.deepEqual(stsCalls[0]?.signedWith, {
      accessKeyId: "AKIASTATIC",
      secretAccessKey: "static-secret",
      sessionToken: undefined,
    });
    assert.ok(!prepared.fingerprint.includes("static-secret"));
  });

  it("a referent ClusterSecretStore finds the ServiceAccount in the ExternalSecret's namespace", async () => {
    const prepared = await prepareIam(
      input("ClusterSecretStore"),
      iam({ jwt: { serviceAccountRef: { name: "irsa" } } }),
      deps(),
    );
    await prepared.login?.();
    assert.equal(tokenRequests[0]?.namespace, "app");
  });

  it("a ServiceAccount without the role annotation, or missing, is AuthFailed", async () => {
    await assert.rejects(
      prepareIam(input(), iam({ jwt: { serviceAccountRef: { name: "plain" } } }), deps()),
      (e: unknown) =>
        e instanceof ProviderError &&
        e.code === "AuthFailed" &&
        e.message.includes("an IAM role must be associated with service account plain") &&
        e.message.includes("eks.amazonaws.com/role-arn"),
    );
    await assert.rejects(
      prepareIam(input(), iam({ jwt: { serviceAccountRef: { name: "ghost" } } }), deps()),
      /ServiceAccount "app\/ghost" used for vault iam auth does not exist/,
    );
    await assert.rejects(
      prepareIam(input(), iam({ jwt: {} }), deps()),
      (e: unknown) => e instanceof StoreValidationError,
    );
  });

  it("no jwt, no secretRef: the controller's IRSA token names its ServiceAccount", async () => {
    const claims = {
      "kubernetes.io": { namespace: "ferry", serviceaccount: { name: "controller" } },
    };
    const jwt = `h.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.s`;
    const prepared = await prepareIam(
      input(),
      iam({}),
      deps({ AWS_WEB_IDENTITY_TOKEN_FILE: "/var/run/irsa/token" }, { "/var/run/irsa/token": jwt }),
    );
    await prepared.login?.();
    assert.deepEqual(tokenRequests, [
      { namespace: "ferry", name: "controller", audiences: ["sts.amazonaws.com"] },
    ]);
    assert.equal(
      (stsCalls[0]?.input as WebIdentityInput).roleArn,
      "arn:aws:iam::123456789012:role/ctl",
    );
  });

  it("no jwt, no secretRef: Pod Identity through the SDK default chain, else a clear error", async () => {
    const prepared = await prepareIam(
      input(),
      iam({}),
      deps({ AWS_CONTAINER_CREDENTIALS_FULL_URI: "http://169.254.170.23/v1/credentials" }),
    );
    await prepared.login?.();
    assert.deepEqual(
      stsCalls.map((c) => c.op),
      ["defaultChain"],
    );
    assert.match(decoded(bodies[0]).headers["authorization"]?.[0] ?? "", /Credential=ASIAPOD\//);
    await assert.rejects(
      prepareIam(input(), iam({}), deps()),
      /no AWS authentication method found for vault iam auth/,
    );
    await assert.rejects(
      prepareIam(input(), iam({}), deps({ AWS_WEB_IDENTITY_TOKEN_FILE: "/missing" })),
      /could not read the web identity token from the file \/missing/,
    );
  });

  it("serviceAccountOfToken refuses a token without Kubernetes claims", () => {
    const jwt = `h.${Buffer.from(JSON.stringify({ sub: "x" })).toString("base64url")}.s`;
    assert.throws(() => serviceAccountOfToken(jwt), /names no Kubernetes ServiceAccount/);
    assert.throws(() => serviceAccountOfToken("not a jwt"), /names no Kubernetes ServiceAccount/);
  });
});
