// auth.iam: Vault's aws auth method, iam type. The login carries a signed
// (AWS Signature V4) sts:GetCallerIdentity request that Vault replays to
// STS to learn who we are: iam_http_request_method, and base64 of
// iam_request_url, iam_request_body and iam_request_headers (JSON, values
// as arrays), as Vault documents. Signing is done here with node:crypto,
// so no AWS SDK is loaded for it.
//
// Which credentials sign it (a ServiceAccount through STS, static keys, the
// controller's identity, then an optional AssumeRole) is iam-credentials.ts.
import { createHash, createHmac } from "node:crypto";
import { login, mount, type AuthInput, type PreparedAuth } from "./common.ts";
import { iamCredentials, type IamAuth, type IamDeps } from "./iam-credentials.ts";
import type { AwsCredentials } from "./sts.ts";

export type { AwsCredentials } from "./sts.ts";

/** ESO's default when auth.iam.region is empty. */
const DEFAULT_REGION = "us-east-1";

const STS_BODY = "Action=GetCallerIdentity&Version=2011-06-15";

const sha256 = (data: string): string => createHash("sha256").update(data, "utf8").digest("hex");
const hmac = (key: Buffer | string, data: string): Buffer =>
  createHmac("sha256", key).update(data, "utf8").digest();

/** STS endpoint as Vault's helper picks it: global for us-east-1, else regional. */
export function stsUrl(region: string): string {
  return region === "us-east-1"
    ? "https://sts.amazonaws.com/"
    : `https://sts.${region}.amazonaws.com/`;
}

function amzDate(now: Date): { date: string; stamp: string } {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");
  return { date: stamp.slice(0, 8), stamp };
}

/** Signs the GetCallerIdentity POST; returns the headers to send (lower-case names). */
export function signGetCallerIdentity(
  creds: AwsCredentials,
  options: { readonly region: string; readonly serverId?: string | undefined; readonly now: Date },
): { url: string; body: string; headers: Record<string, string> } {
  const url = new URL(stsUrl(options.region));
  const { date, stamp } = amzDate(options.now);
  const headers: Record<string, string> = {
    "content-type": "application/x-www-form-urlencoded; charset=utf-8",
    host: url.host,
    "x-amz-date": stamp,
  };
  if (creds.sessionToken !== undefined && creds.sessionToken !== "") {
    headers["x-amz-security-token"] = creds.sessionToken;
  }
  if (options.serverId !== undefined && options.serverId !== "") {
    headers["x-vault-aws-iam-server-id"] = options.serverId;
  }
  const names = Object.keys(headers).sort();
  const canonicalHeaders = names.map((n) => `${n}:${(headers[n] ?? "").trim()}\n`).join("");
  const signedHeaders = names.join(";");
  const canonicalRequest = [
    "POST",
    url.pathname,
    "",
    canonicalHeaders,
    signedHeaders,
    sha256(STS_BODY),
  ].join("\n");
  const scope = `${date}/${options.region}/sts/aws4_request`;
  const toSign = ["AWS4-HMAC-SHA256", stamp, scope, sha256(canonicalRequest)].join("\n");
  const kDate = hmac(`AWS4${creds.secretAccessKey}`, date);
  const kSigning = hmac(hmac(hmac(kDate, options.region), "sts"), "aws4_request");
  const signature = hmac(kSigning, toSign).toString("hex");
  headers["authorization"] =
    `AWS4-HMAC-SHA256 Credential=${creds.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
  return { url: url.toString(), body: STS_BODY, headers };
}

const b64 = (s: string): string => Buffer.from(s, "utf8").toString("base64");

/** The body of POST auth/<aws mount>/login for the iam type. */
export function iamLoginBody(
  role: string,
  signed: { url: string; body: string; headers: Record<string, string> },
): Record<string, string> {
  const headers: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(signed.headers)) headers[k] = [v];
  return {
    role,
    iam_http_request_method: "POST",
    iam_request_url: b64(signed.url),
    iam_request_body: b64(signed.body),
    iam_request_headers: b64(JSON.stringify(headers)),
  };
}

export async function prepareIam(
  input: AuthInput,
  spec: IamAuth,
  deps: IamDeps,
): Promise<PreparedAuth> {
  const region = spec.region === undefined || spec.region === "" ? DEFAULT_REGION : spec.region;
  const source = await iamCredentials(input, spec, { deps, region });
  const path = `auth/${mount(spec.path, "aws")}/login`;
  const serverId = spec.vaultAwsIamServerID;
  return {
    description: `aws iam auth at ${path} (role ${spec.vaultRole}; ${source.description})`,
    fingerprint: `iam:${path}:${spec.vaultRole}:${region}:${serverId ?? ""}:${source.fingerprint}`,
    login: async () => {
      const credentials = await source.get();
      const signed = signGetCallerIdentity(credentials, {
        region,
        serverId,
        now: new Date(deps.now()),
      });
      return login(input, path, iamLoginBody(spec.vaultRole, signed));
    },
  };
}
