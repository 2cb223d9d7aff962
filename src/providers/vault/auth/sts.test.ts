// The SDK side of the STS port: the default chain (EKS Pod Identity) really
// reads the container credentials endpoint named by
// AWS_CONTAINER_CREDENTIALS_FULL_URI, here a local HTTP server; and STS
// errors become AuthFailed messages that say which call failed.
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { ProviderError } from "../../errors.ts";
import { sdkSts } from "./sts.ts";

let server: Server;
let address = "";
const seenAuthorization: (string | undefined)[] = [];

before(async () => {
  server = createServer((req, res) => {
    if (req.url === "/v1/credentials") {
      seenAuthorization.push(req.headers.authorization);
      res.writeHead(200, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          AccessKeyId: "ASIAPODIDENTITY",
          SecretAccessKey: "pod-secret",
          Token: "pod-token",
          Expiration: new Date(Date.now() + 3_600_000).toISOString(),
        }),
      );
      return;
    }
    // an STS that refuses everything, in the query protocol's XML
    req.resume();
    res.writeHead(403, { "content-type": "text/xml" });
    res.end(
      "<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>not allowed</Message></Error></ErrorResponse>",
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  address = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
});

after(() => {
  server.close();
});

/** Runs `fn` with these environment variables set (and the others of the chain unset). */
async function withEnv<T>(vars: Record<string, string>, fn: () => Promise<T>): Promise<T> {
  const names = [
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_PROFILE",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_ROLE_ARN",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN",
    "AWS_SHARED_CREDENTIALS_FILE",
    "AWS_CONFIG_FILE",
    ...Object.keys(vars),
  ];
  const saved = new Map(names.map((n) => [n, process.env[n]]));
  for (const n of names) Reflect.deleteProperty(process.env, n);
  // no shared files: the chain must reach the container endpoint
  process.env["AWS_SHARED_CREDENTIALS_FILE"] = "/nonexistent/credentials";
  process.env["AWS_CONFIG_FILE"] = "/nonexistent/config";
  Object.assign(process.env, vars);
  try {
    return await fn();
  } finally {
    for (const [n, v] of saved) {
      if (v === undefined) Reflect.deleteProperty(process.env, n);
      else process.env[n] = v;
    }
  }
}

describe("sdkSts", () => {
  it("defaultChain: Pod Identity's container credentials endpoint, with its token", async () => {
    const credentials = await withEnv(
      {
        AWS_CONTAINER_CREDENTIALS_FULL_URI: `${address}/v1/credentials`,
        AWS_CONTAINER_AUTHORIZATION_TOKEN: "pod-identity-token",
      },
      () => sdkSts({ region: "us-east-1" }).defaultChain(),
    );
    assert.deepEqual(credentials, {
      accessKeyId: "ASIAPODIDENTITY",
      secretAccessKey: "pod-secret",
      sessionToken: "pod-token",
    });
    assert.deepEqual(seenAuthorization, ["pod-identity-token"]);
  });

  it("an STS refusal is AuthFailed naming the call, the role and AWS's code", async () => {
    await assert.rejects(
      sdkSts({ region: "us-east-1", endpoint: address }).assumeRoleWithWebIdentity({
        roleArn: "arn:aws:iam::123456789012:role/r",
        sessionName: "s",
        webIdentityToken: "secret-jwt",
      }),
      (e: unknown) =>
        e instanceof ProviderError &&
        e.code === "AuthFailed" &&
        e.message.startsWith(
          "AssumeRoleWithWebIdentity arn:aws:iam::123456789012:role/r failed: AccessDenied",
        ) &&
        !e.message.includes("secret-jwt"),
    );
  });
});
