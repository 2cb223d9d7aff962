// sprig crypto functions on node:crypto (and bcryptjs); certificates are in sprig-certs.ts.
// The slow ones (RSA keys, bcrypt, scrypt) are charged to the work budget (cost.ts).
import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  generateKeyPairSync,
  randomBytes,
  scryptSync,
} from "node:crypto";
import type * as Bcrypt from "bcryptjs";
import { FuncError } from "../errors.ts";
import { lazyRequire } from "../lazy.ts";
import type { GoValue } from "../value.ts";
import { fn } from "./conv.ts";
import { COST, charge } from "./cost.ts";
import { register } from "./index.ts";

const S = "string" as const;

// bcryptjs (its CommonJS build) is loaded by the first bcrypt or htpasswd
// call, not at start-up: an idle controller does not need it (start-up memory).
const bcryptjs = lazyRequire<typeof Bcrypt>("bcryptjs");

const bin = (s: GoValue): Buffer => Buffer.from(s as string, "latin1");

function bcryptHash(pw: string): string {
  charge(COST.passwordHash, "bcrypt");
  // Go's bcrypt.GenerateFromPassword(DefaultCost) uses the $2a$ prefix.
  return bcryptjs()
    .hashSync(Buffer.from(pw, "latin1").toString("utf8"), 10)
    .replace(/^\$2b\$/, "$2a$");
}

function htpasswd(user: GoValue, pw: GoValue): GoValue {
  const u = user as string;
  if (u.includes(":")) return `invalid username: ${u}`;
  return `${u}:${bcryptHash(pw as string)}`;
}

function aesKey(password: string): Buffer {
  const key = Buffer.alloc(32);
  bin(password).copy(key, 0, 0, 32);
  return key;
}

function encryptAES(password: GoValue, plaintext: GoValue): GoValue {
  const p = bin(plaintext);
  if (p.length === 0) return "";
  const iv = randomBytes(16);
  const c = createCipheriv("aes-256-cbc", aesKey(password as string), iv);
  return Buffer.concat([iv, c.update(p), c.final()]).toString("base64");
}

function decryptAES(password: GoValue, crypt64: GoValue): GoValue {
  const s = crypt64 as string;
  if (s === "") return "";
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s) || s.length % 4 !== 0)
    throw new FuncError("illegal base64 data at input byte 0");
  const crypt = Buffer.from(s, "base64");
  if (crypt.length < 16 || (crypt.length - 16) % 16 !== 0)
    throw new FuncError("crypto/cipher: input not full blocks");
  const d = createDecipheriv("aes-256-cbc", aesKey(password as string), crypt.subarray(0, 16));
  d.setAutoPadding(false);
  const out = Buffer.concat([d.update(crypt.subarray(16)), d.final()]);
  const padLen = out[out.length - 1] ?? 0;
  if (padLen > out.length) throw new FuncError("runtime error: slice bounds out of range");
  return out.subarray(0, out.length - padLen).toString("latin1");
}

function genPrivateKey(typ: GoValue): GoValue {
  switch (typ) {
    case "":
    case "rsa":
      charge(COST.rsa4096, "genPrivateKey");
      return generateKeyPairSync("rsa", { modulusLength: 4096 })
        .privateKey.export({ type: "pkcs1", format: "pem" })
        .toString();
    case "ecdsa":
      return generateKeyPairSync("ec", { namedCurve: "P-256" })
        .privateKey.export({ type: "sec1", format: "pem" })
        .toString();
    case "ed25519":
      return generateKeyPairSync("ed25519")
        .privateKey.export({ type: "pkcs8", format: "pem" })
        .toString();
    case "dsa":
      throw new FuncError("dsa keys are not supported by Ferry");
    default:
      return `Unknown type ${typ as string}`;
  }
}

// Master Password algorithm (sprig derivePassword).
const TEMPLATES: Readonly<Record<string, readonly string[]>> = {
  maximum: ["anoxxxxxxxxxxxxxxxxx", "axxxxxxxxxxxxxxxxxno"],
  long: [
    "CvcvnoCvcvCvcv",
    "CvcvCvcvnoCvcv",
    "CvcvCvcvCvcvno",
    "CvccnoCvcvCvcv",
    "CvccCvcvnoCvcv",
    "CvccCvcvCvcvno",
    "CvcvnoCvccCvcv",
    "CvcvCvccnoCvcv",
    "CvcvCvccCvcvno",
    "CvcvnoCvcvCvcc",
    "CvcvCvcvnoCvcc",
    "CvcvCvcvCvccno",
    "CvccnoCvccCvcv",
    "CvccCvccnoCvcv",
    "CvccCvccCvcvno",
    "CvcvnoCvccCvcc",
    "CvcvCvccnoCvcc",
    "CvcvCvccCvccno",
    "CvccnoCvcvCvcc",
    "CvccCvcvnoCvcc",
    "CvccCvcvCvccno",
  ],
  medium: ["CvcnoCvc", "CvcCvcno"],
  short: ["Cvcn"],
  basic: ["aaanaaan", "aannaaan", "aaannaaa"],
  pin: ["nnnn"],
};
const CHARS: Readonly<Record<string, string>> = {
  V: "AEIOU",
  C: "BCDFGHJKLMNPQRSTVWXYZ",
  v: "aeiou",
  c: "bcdfghjklmnpqrstvwxyz",
  A: "AEIOUBCDFGHJKLMNPQRSTVWXYZ",
  a: "AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz",
  n: "0123456789",
  o: "@&%?,=[]_:-+*$#!'^~;()/.",
  x: "AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz0123456789!@#$%^&*()",
};
const SEED = "com.lyndir.masterpassword";

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}

function derivePassword(...args: GoValue[]): GoValue {
  const [counter, type, password, user, site] = args;
  const templates = TEMPLATES[type as string];
  if (templates === undefined) return `cannot find password template ${type as string}`;
  charge(COST.passwordHash, "derivePassword");
  const salt = Buffer.concat([Buffer.from(SEED), u32(bin(user).length), bin(user)]);
  const key = scryptSync(bin(password), salt, 64, {
    N: 32768,
    r: 8,
    p: 2,
    maxmem: 128 * 1024 * 1024,
  });
  const c = typeof counter === "number" ? counter : (counter as { v: number }).v;
  const msg = Buffer.concat([Buffer.from(SEED), u32(bin(site).length), bin(site), u32(c)]);
  const seed = createHmac("sha256", key).update(msg).digest();
  const tpl = templates[(seed[0] ?? 0) % templates.length] ?? "";
  let out = "";
  for (let i = 0; i < tpl.length; i++) {
    const chars = CHARS[tpl[i] ?? ""] ?? "";
    out += chars[(seed[i + 1] ?? 0) % chars.length] ?? "";
  }
  return out;
}

register({
  bcrypt: fn([S], (s) => bcryptHash(s as string)),
  htpasswd: fn([S, S], htpasswd),
  encryptAES: fn([S, S], encryptAES),
  decryptAES: fn([S, S], decryptAES),
  genPrivateKey: fn([S], genPrivateKey),
  derivePassword: fn(["uint32", S, S, S, S], derivePassword),
});
