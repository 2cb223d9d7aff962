// ESO's own template functions: PEM filters, certificate chains and SANs,
// JWK → PEM, PKCS#12 (node-forge) and rsaDecrypt. All on in-memory data only.
import {
  X509Certificate,
  constants,
  createPrivateKey,
  createPublicKey,
  privateDecrypt,
} from "node:crypto";
import type { JsonWebKey, KeyObject } from "node:crypto";
import type Forge from "node-forge";
import { FuncError } from "../errors.ts";
import { lazyRequire } from "../lazy.ts";
import { stringSlice } from "../value.ts";
import type { GoValue } from "../value.ts";
import { fn } from "./conv.ts";
import { register } from "./index.ts";
import { decodePem, encodePem } from "./pem.ts";

const S = "string" as const;

function filterPEM(pemType: GoValue, input: GoValue): GoValue {
  const { blocks, junk } = decodePem(input as string);
  const out = blocks
    .filter((b) => b.type.toLowerCase() === (pemType as string).toLowerCase())
    .map(encodePem)
    .join("");
  if (out === "" && junk) throw new FuncError("error filtering pem: found junk");
  return out;
}

function parseCerts(input: string): X509Certificate[] {
  const certs: X509Certificate[] = [];
  for (const b of decodePem(input).blocks) {
    if (b.type !== "CERTIFICATE") continue;
    try {
      certs.push(new X509Certificate(b.der));
    } catch {
      throw new FuncError("failed to parse certificate");
    }
  }
  return certs;
}

function certPem(c: X509Certificate): string {
  return encodePem({ type: "CERTIFICATE", headers: "", der: c.raw });
}

function isSelfSigned(c: X509Certificate): boolean {
  return c.subject === c.issuer && c.checkIssued(c);
}

function filterCertChain(certType: GoValue, input: GoValue): GoValue {
  const certs = parseCerts(input as string);
  const issuesOther = (c: X509Certificate): boolean =>
    certs.some((o) => o !== c && o.checkIssued(c));
  const pick: Readonly<Record<string, (c: X509Certificate) => boolean>> = {
    leaf: (c) => !issuesOther(c) && !(isSelfSigned(c) && certs.length > 1),
    intermediate: (c) => issuesOther(c) && !isSelfSigned(c),
    root: (c) => isSelfSigned(c) && (certs.length === 1 || issuesOther(c)),
  };
  const f = pick[certType as string];
  if (f === undefined) throw new FuncError(`unsupported certificate type: ${certType as string}`);
  return certs.filter(f).map(certPem).join("");
}

function certSANs(input: GoValue): GoValue {
  const certs = parseCerts(input as string);
  const leaf = certs[0];
  if (leaf === undefined) throw new FuncError("no certificate found");
  const sans = (leaf.subjectAltName ?? "")
    .split(/,\s*/)
    .filter((x) => x !== "")
    .map((x) => x.replace(/^(DNS|IP Address|email|URI):/, ""));
  return stringSlice(sans);
}

function jwkKey(jwk: string, priv: boolean): KeyObject {
  let key: JsonWebKey;
  try {
    key = JSON.parse(Buffer.from(jwk, "latin1").toString("utf8")) as JsonWebKey;
  } catch {
    throw new FuncError("invalid JWK: not JSON");
  }
  try {
    if (priv) return createPrivateKey({ key, format: "jwk" });
    const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...pub } = key;
    return createPublicKey({ key: pub, format: "jwk" });
  } catch {
    throw new FuncError("invalid JWK");
  }
}

// ---- PKCS#12 ----

function toForgeBytes(s: string): string {
  return s; // byte strings are already forge's binary strings
}

// node-forge (CommonJS, 42 modules with its TLS and X.509 code) is loaded by
// the first PKCS#12 function call, not at start-up (start-up memory).
const loadForge = lazyRequire<typeof Forge>("node-forge");

// The bag types are forge's OIDs; the literals are the same values.
const SHROUDED_KEY_BAG = "1.2.840.113549.1.12.10.1.2";
const KEY_BAG = "1.2.840.113549.1.12.10.1.1";
const CERT_BAG = "1.2.840.113549.1.12.10.1.3";

function bagsOf(p12: Forge.pkcs12.Pkcs12Pfx, bagType: string): Forge.pkcs12.Bag[] {
  return p12.getBags({ bagType })[bagType] ?? [];
}

function decodeP12(pass: string, input: string): { key: string; certs: string[] } {
  const forge = loadForge();
  let p12: Forge.pkcs12.Pkcs12Pfx;
  try {
    const asn1 = forge.asn1.fromDer(toForgeBytes(input));
    p12 = forge.pkcs12.pkcs12FromAsn1(asn1, false, pass);
  } catch {
    throw new FuncError("unable to decode pkcs12: wrong password or invalid data");
  }
  const keyBags = [...bagsOf(p12, SHROUDED_KEY_BAG), ...bagsOf(p12, KEY_BAG)];
  let key = "";
  const kb = keyBags[0];
  if (kb !== undefined) {
    const k = kb.key as Forge.pki.PrivateKey | null | undefined;
    const info =
      k === null || k === undefined
        ? kb.asn1
        : forge.pki.wrapRsaPrivateKey(forge.pki.privateKeyToAsn1(k));
    const der = Buffer.from(forge.asn1.toDer(info).getBytes(), "latin1");
    key = createPrivateKey({ key: der, format: "der", type: "pkcs8" })
      .export({ type: "pkcs8", format: "pem" })
      .toString();
  }
  const certBags = bagsOf(p12, CERT_BAG);
  const certs = certBags.map((b) => {
    const cert = b.cert as Forge.pki.Certificate | null | undefined;
    const asn1 = cert === null || cert === undefined ? b.asn1 : forge.pki.certificateToAsn1(cert);
    const der = forge.asn1.toDer(asn1).getBytes();
    return encodePem({ type: "CERTIFICATE", headers: "", der: Buffer.from(der, "latin1") });
  });
  return { key, certs };
}

function pkcs12key(pass: string, input: string): string {
  const { key } = decodeP12(pass, input);
  if (key === "") throw new FuncError("no private key found in pkcs12");
  return key;
}

function pkcs12cert(pass: string, input: string): string {
  const { certs } = decodeP12(pass, input);
  return certs.join("");
}

function encodeP12(opts: {
  certs: string;
  key: string | null;
  pass: string;
  chain: boolean;
}): string {
  const forge = loadForge();
  const certs = parseCerts(opts.certs).map((c) =>
    forge.pki.certificateFromAsn1(forge.asn1.fromDer(c.raw.toString("latin1"))),
  );
  if (certs.length === 0) throw new FuncError("no certificate found");
  let key: Forge.pki.PrivateKey | null = null;
  if (opts.key !== null) {
    try {
      const pem = createPrivateKey(opts.key).export({ type: "pkcs1", format: "pem" }).toString();
      key = forge.pki.privateKeyFromPem(pem);
    } catch {
      throw new FuncError("unable to parse private key (only RSA keys are supported)");
    }
  }
  const chain = opts.chain || opts.key === null ? certs : certs.slice(0, 1);
  const asn1 = forge.pkcs12.toPkcs12Asn1(key, chain, opts.pass, { algorithm: "aes256" });
  return Buffer.from(forge.asn1.toDer(asn1).getBytes(), "latin1").toString("base64");
}

function rsaDecrypt(scheme: GoValue, hash: GoValue, input: GoValue, keyPem: GoValue): GoValue {
  let key: KeyObject;
  try {
    key = createPrivateKey(keyPem as string);
  } catch {
    throw new FuncError("unable to parse private key");
  }
  const data = Buffer.from(input as string, "latin1");
  const hashes: Readonly<Record<string, string>> = {
    SHA1: "sha1",
    SHA256: "sha256",
    SHA384: "sha384",
    SHA512: "sha512",
    None: "sha1",
  };
  const oaepHash = hashes[hash as string];
  try {
    if (scheme === "RSA-OAEP") {
      if (oaepHash === undefined)
        throw new FuncError(`unsupported hash algorithm: ${hash as string}`);
      return privateDecrypt(
        { key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash },
        data,
      ).toString("latin1");
    }
    if (scheme === "None")
      return privateDecrypt({ key, padding: constants.RSA_PKCS1_PADDING }, data).toString("latin1");
  } catch (e) {
    if (e instanceof FuncError) throw e;
    throw new FuncError("decryption failed");
  }
  throw new FuncError(`unsupported scheme: ${scheme as string}`);
}

register({
  filterPEM: fn([S, S], filterPEM),
  filterCertChain: fn([S, S], filterCertChain),
  certSANs: fn([S], certSANs),
  jwkPublicKeyPem: fn([S], (j) =>
    jwkKey(j as string, false)
      .export({ type: "spki", format: "pem" })
      .toString(),
  ),
  jwkPrivateKeyPem: fn([S], (j) =>
    jwkKey(j as string, true)
      .export({ type: "pkcs8", format: "pem" })
      .toString(),
  ),
  pkcs12key: fn([S], (i) => pkcs12key("", i as string)),
  pkcs12keyPass: fn([S, S], (p, i) => pkcs12key(p as string, i as string)),
  pkcs12cert: fn([S], (i) => pkcs12cert("", i as string)),
  pkcs12certPass: fn([S, S], (p, i) => pkcs12cert(p as string, i as string)),
  pemToPkcs12: fn([S, S], (c, k) =>
    encodeP12({ certs: c as string, key: k as string, pass: "", chain: false }),
  ),
  pemToPkcs12Pass: fn([S, S, S], (c, k, p) =>
    encodeP12({ certs: c as string, key: k as string, pass: p as string, chain: false }),
  ),
  fullPemToPkcs12: fn([S, S], (c, k) =>
    encodeP12({ certs: c as string, key: k as string, pass: "", chain: true }),
  ),
  fullPemToPkcs12Pass: fn([S, S, S], (c, k, p) =>
    encodeP12({ certs: c as string, key: k as string, pass: p as string, chain: true }),
  ),
  pemTruststoreToPKCS12: fn([S], (c) =>
    encodeP12({ certs: c as string, key: null, pass: "", chain: true }),
  ),
  pemTruststoreToPKCS12Pass: fn([S, S], (c, p) =>
    encodeP12({ certs: c as string, key: null, pass: p as string, chain: true }),
  ),
  rsaDecrypt: fn([S, S, S, S], rsaDecrypt),
});
