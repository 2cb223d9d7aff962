// iam and gcp logins: no AWS or GCP here, so the requests we build are
// checked — the SigV4 signature against the AWS SDK's own signer, the JWT
// against the key's public half, the signJwt call against a fake.
import assert from "node:assert/strict";
import { createHash, createHmac, createVerify, generateKeyPairSync } from "node:crypto";
import { describe, it } from "node:test";
import { SignatureV4 } from "@smithy/signature-v4";
import { NotSupportedError } from "../../errors.ts";
import type { AuthInput } from "./common.ts";
import { loginClaims, prepareGcp, signJwtRequest, signLocally, signWithIam } from "./gcp.ts";
import { iamLoginBody, signGetCallerIdentity, stsUrl } from "./iam.ts";

const creds = {
  accessKeyId: "AKIDEXAMPLE",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
  sessionToken: "session",
};
// the hash the AWS SDK's signer expects, over node:crypto
class Sha256 {
  readonly #h: { update(data: string | Uint8Array): unknown; digest(): Buffer };
  constructor(secret?: string | Uint8Array) {
    this.#h = secret === undefined ? createHash("sha256") : createHmac("sha256", secret);
  }
  update(data: string | Uint8Array): void {
    this.#h.update(data);
  }
  reset(): void {
    // not used by the signer in these tests
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.#h.digest()));
  }
}

const now = new Date("2026-01-02T03:04:05Z");

describe("iam auth", () => {
  for (const region of ["us-east-1", "eu-west-1"]) {
    it(`signs GetCallerIdentity as the AWS SDK does (${region})`, async () => {
      const signed = signGetCallerIdentity(creds, { region, serverId: "vault.example.com", now });
      assert.equal(signed.url, stsUrl(region));
      const url = new URL(signed.url);
      const { authorization, ...unsigned } = signed.headers;
      const signer = new SignatureV4({
        service: "sts",
        region,
        credentials: creds,
        sha256: Sha256 as unknown as ConstructorParameters<typeof SignatureV4>[0]["sha256"],
        applyChecksum: false,
      });
      const request = {
        method: "POST",
        protocol: url.protocol,
        hostname: url.hostname,
        path: url.pathname,
        headers: Object.fromEntries(
          Object.entries(unsigned).filter(
            ([k]) => k !== "x-amz-date" && k !== "x-amz-security-token",
          ),
        ),
        body: signed.body,
        query: {},
      };
      const reference = await signer.sign(request, { signingDate: now });
      assert.equal(authorization, reference.headers["authorization"]);
    });
  }

  it("builds Vault's documented login body", () => {
    const signed = signGetCallerIdentity(creds, { region: "us-east-1", now });
    const body = iamLoginBody("my-role", signed);
    assert.equal(body["role"], "my-role");
    assert.equal(body["iam_http_request_method"], "POST");
    const dec = (k: string): string => Buffer.from(body[k] ?? "", "base64").toString();
    assert.equal(dec("iam_request_url"), "https://sts.amazonaws.com/");
    assert.equal(dec("iam_request_body"), "Action=GetCallerIdentity&Version=2011-06-15");
    const headers = JSON.parse(dec("iam_request_headers")) as Record<string, string[]>;
    assert.deepEqual(headers["x-amz-security-token"], ["session"]);
    assert.match(
      headers["authorization"]?.[0] ?? "",
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/20260102\/us-east-1\/sts\/aws4_request/,
    );
    assert.ok(!JSON.stringify(body).includes(creds.secretAccessKey));
  });
});

describe("gcp auth", () => {
  const claims = loginClaims("sa@p.iam.gserviceaccount.com", "vault-role", now.getTime());

  it("claims: sub, aud vault/<role>, exp within 15 minutes", () => {
    assert.equal(claims.aud, "vault/vault-role");
    assert.equal(claims.sub, "sa@p.iam.gserviceaccount.com");
    assert.ok(claims.exp - now.getTime() / 1000 <= 15 * 60);
  });

  it("signs locally with a service-account key (RS256, kid)", () => {
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const jwt = signLocally(claims, {
      privateKey: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
      keyId: "kid-1",
    });
    const [h = "", p = "", s = ""] = jwt.split(".");
    assert.deepEqual(JSON.parse(Buffer.from(h, "base64url").toString()), {
      alg: "RS256",
      typ: "JWT",
      kid: "kid-1",
    });
    assert.deepEqual(JSON.parse(Buffer.from(p, "base64url").toString()), claims);
    const verify = createVerify("RSA-SHA256");
    verify.update(`${h}.${p}`);
    assert.ok(verify.verify(publicKey, Buffer.from(s, "base64url")));
  });

  it("builds the IAM credentials signJwt request and reads signedJwt", async () => {
    const req = signJwtRequest("sa@p.iam.gserviceaccount.com", claims, "access");
    assert.equal(
      req.url,
      "https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/sa%40p.iam.gserviceaccount.com:signJwt",
    );
    assert.equal(req.init.headers["Authorization"], "Bearer access");
    assert.deepEqual(JSON.parse(req.init.body), { payload: JSON.stringify(claims) });
    const calls: string[] = [];
    const fake = ((url: string) => {
      calls.push(url);
      return Promise.resolve(
        new Response(JSON.stringify({ keyId: "k", signedJwt: "a.b.c" }), { status: 200 }),
      );
    }) as unknown as typeof fetch;
    assert.equal(
      await signWithIam("sa@p.iam.gserviceaccount.com", claims, "access", fake),
      "a.b.c",
    );
    assert.deepEqual(calls, [req.url]);
    const denied = (() =>
      Promise.resolve(new Response("{}", { status: 403 }))) as unknown as typeof fetch;
    await assert.rejects(
      signWithIam("sa@p", claims, "access", denied),
      /signJwt for sa@p failed \(403\)/,
    );
  });

  it("workload identity and the controller's credentials: NotSupported, saying what to set", async () => {
    // refused before any reference is read
    const input = {} as AuthInput;
    await assert.rejects(
      prepareGcp(input, {
        path: "gcp",
        role: "r",
        serviceAccountRef: { name: "gsa" },
      }),
      (e: unknown) =>
        e instanceof NotSupportedError && e.message.includes("set auth.gcp.secretRef"),
    );
    await assert.rejects(prepareGcp(input, { path: "gcp", role: "r" }), NotSupportedError);
  });
});
