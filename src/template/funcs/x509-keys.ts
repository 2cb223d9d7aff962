// Private keys as sprig's certificate functions read, write and use them:
// parsePrivateKeyPEM (PKCS#8, PKCS#1, SEC1 and sprig's DSA layout),
// pemBlockForKey, and the public key and signature parameters Go's
// crypto/x509 derives from a key. Error texts follow Go's, without values.
import { createECDH, createPrivateKey, createPublicKey, sign } from "node:crypto";
import type { KeyObject } from "node:crypto";
import {
  DerError,
  NULL,
  TAG,
  bitString,
  explicit,
  octetString,
  oid,
  readElement,
  readOid,
  sequence,
  sequenceOf,
  smallInteger,
} from "./der.ts";
import { encodePem, firstPemBlock } from "./pem.ts";

/** An error of sprig's key parsing or of Go's crypto/x509: the text after sprig's prefix. */
export class X509Error extends Error {
  constructor(message: string) {
    super(message);
    this.name = "X509Error";
  }
}

export interface Curve {
  readonly nodeName: string;
  readonly oid: string;
  /** Bytes of a coordinate and of the private scalar. */
  readonly size: number;
  readonly hash: "sha256" | "sha384" | "sha512";
  readonly signatureOid: string;
}

// The curves Go's crypto/x509 parses (by OpenSSL name, as Node reports them).
const CURVES: Readonly<Record<string, Curve>> = Object.fromEntries(
  (
    [
      ["secp224r1", "1.3.132.0.33", 28, "sha256", "1.2.840.10045.4.3.2"],
      ["prime256v1", "1.2.840.10045.3.1.7", 32, "sha256", "1.2.840.10045.4.3.2"],
      ["secp384r1", "1.3.132.0.34", 48, "sha384", "1.2.840.10045.4.3.3"],
      ["secp521r1", "1.3.132.0.35", 66, "sha512", "1.2.840.10045.4.3.4"],
    ] as const
  ).map(([nodeName, oid, size, hash, signatureOid]) => [
    nodeName,
    { nodeName, oid, size, hash, signatureOid },
  ]),
);

export type PrivateKey =
  | { readonly kind: "rsa"; readonly key: KeyObject }
  | { readonly kind: "ecdsa"; readonly key: KeyObject; readonly curve: Curve }
  | { readonly kind: "ed25519"; readonly key: KeyObject }
  /** X25519 (PKCS#8 only): Go parses it but can neither sign with it nor certify it. */
  | { readonly kind: "x25519"; readonly key: KeyObject }
  /** sprig's "DSA PRIVATE KEY": parsed, but Go's crypto/x509 cannot use DSA. */
  | { readonly kind: "dsa" };

const OID = {
  rsa: "1.2.840.113549.1.1.1",
  ec: "1.2.840.10045.2.1",
  ed25519: "1.3.101.112",
  x25519: "1.3.101.110",
  sha256WithRSA: "1.2.840.113549.1.1.11",
} as const;

type DerType = "pkcs1" | "pkcs8" | "sec1";

/** Which private key structure the DER has, by the types of its first fields (as Go's asn1 sees it). */
function derShape(der: Buffer): DerType | undefined {
  try {
    const f = sequenceOf(der, readElement(der, 0)).map((e) => e.tag);
    if (f[0] !== TAG.integer) return undefined;
    if (f[1] === TAG.octetString) return "sec1";
    if (f[1] === TAG.sequence && f[2] === TAG.octetString) return "pkcs8";
    if (f.length >= 6 && f.slice(0, 6).every((t) => t === TAG.integer)) return "pkcs1";
  } catch {
    // not DER at all
  }
  return undefined;
}

/** Go's encoding/asn1 complaint about DER that lacks the expected leading field types. */
function structureError(der: Buffer, expected: readonly number[]): string {
  try {
    const tags = sequenceOf(der, readElement(der, 0)).map((e) => e.tag);
    const bad = expected.findIndex((t, i) => tags[i] !== t);
    if (bad >= 0 && tags[bad] === undefined) return "asn1: syntax error: sequence truncated";
  } catch {
    // not a sequence: tags don't match either
  }
  return "asn1: structure error: tags don't match";
}

const I = TAG.integer;
const PKCS1_FIELDS = [I, I, I, I, I, I];
const SEC1_FIELDS = [I, TAG.octetString];
const PKCS8_FIELDS = [I, TAG.sequence, TAG.octetString];

const FUNC_FOR: Readonly<Record<DerType, string>> = {
  sec1: "ParseECPrivateKey",
  pkcs1: "ParsePKCS1PrivateKey",
  pkcs8: "ParsePKCS8PrivateKey",
};

/** Node's key of the DER, when it has the expected structure. */
function nodeKey(der: Buffer, type: DerType): KeyObject | undefined {
  if (derShape(der) !== type) return undefined;
  try {
    return createPrivateKey({ key: der, format: "der", type });
  } catch {
    return undefined;
  }
}

/** Go's hint when a key is in another DER format than the one expected. */
function otherFormatHint(der: Buffer, expected: DerType): string | undefined {
  const shape = derShape(der);
  if (shape === undefined || shape === expected) return undefined;
  return `x509: failed to parse private key (use ${FUNC_FOR[shape]} instead for this key format)`;
}

function ecKey(key: KeyObject): PrivateKey {
  const curve = CURVES[key.asymmetricKeyDetails?.namedCurve ?? ""];
  if (curve === undefined) throw new X509Error("x509: unknown elliptic curve");
  return { kind: "ecdsa", key, curve };
}

/** The algorithm OID of a PKCS#8 PrivateKeyInfo. */
function pkcs8Algorithm(der: Buffer): string {
  const top = sequenceOf(der, readElement(der, 0));
  const alg = top[1];
  if (top[0]?.tag !== TAG.integer || alg === undefined || top[2]?.tag !== TAG.octetString)
    throw new DerError("not a PKCS#8 private key");
  const algOid = sequenceOf(der, alg)[0];
  if (algOid === undefined) throw new DerError("not a PKCS#8 private key");
  return readOid(der, algOid);
}

function parsePkcs8(der: Buffer): PrivateKey {
  let algorithm: string;
  try {
    algorithm = pkcs8Algorithm(der);
  } catch {
    throw new X509Error(otherFormatHint(der, "pkcs8") ?? structureError(der, PKCS8_FIELDS));
  }
  const what: Readonly<Record<string, string>> = {
    [OID.rsa]: "RSA private key embedded in PKCS#8",
    [OID.ec]: "EC private key embedded in PKCS#8",
    [OID.ed25519]: "Ed25519 private key",
    [OID.x25519]: "X25519 private key",
  };
  const name = what[algorithm];
  if (name === undefined)
    throw new X509Error(
      `x509: PKCS#8 wrapping contained private key with unknown algorithm: ${algorithm}`,
    );
  const key = nodeKey(der, "pkcs8");
  if (key === undefined) throw new X509Error(`x509: failed to parse ${name}`);
  if (algorithm === OID.ec) {
    try {
      return ecKey(key);
    } catch (e) {
      throw new X509Error(`x509: failed to parse ${name}: ${(e as Error).message}`);
    }
  }
  if (algorithm === OID.rsa) return { kind: "rsa", key };
  return { kind: algorithm === OID.ed25519 ? "ed25519" : "x25519", key };
}

function parsePkcs1(der: Buffer): PrivateKey {
  const key = nodeKey(der, "pkcs1");
  if (key === undefined)
    throw new X509Error(otherFormatHint(der, "pkcs1") ?? structureError(der, PKCS1_FIELDS));
  return { kind: "rsa", key };
}

function parseSec1(der: Buffer): PrivateKey {
  const key = nodeKey(der, "sec1");
  if (key === undefined)
    throw new X509Error(
      otherFormatHint(der, "sec1") ??
        `x509: failed to parse EC private key: ${structureError(der, SEC1_FIELDS)}`,
    );
  return ecKey(key);
}

/** sprig's DSAKeyFormat: SEQUENCE { version, P, Q, G, Y, X } (six INTEGERs). */
function parseDsa(der: Buffer): PrivateKey {
  const problem = structureError(der, PKCS1_FIELDS);
  try {
    const fields = sequenceOf(der, readElement(der, 0));
    if (fields.length < 6 || fields.slice(0, 6).some((f) => f.tag !== TAG.integer))
      throw new X509Error(problem);
  } catch {
    throw new X509Error(problem);
  }
  return { kind: "dsa" };
}

const BY_PEM_TYPE: Readonly<Record<string, [string, (der: Buffer) => PrivateKey]>> = {
  "RSA PRIVATE KEY": ["parsing RSA private key from PEM", parsePkcs1],
  "EC PRIVATE KEY": ["parsing EC private key from PEM", parseSec1],
  "DSA PRIVATE KEY": ["parsing DSA private key from PEM", parseDsa],
};

function withPrefix(prefix: string, f: () => PrivateKey): PrivateKey {
  try {
    return f();
  } catch (e) {
    if (e instanceof X509Error) throw new X509Error(`${prefix}: ${e.message}`);
    throw e;
  }
}

/** sprig's parsePrivateKeyPEM: the first PEM block, by its type. */
export function parsePrivateKeyPem(pem: string): PrivateKey {
  const block = firstPemBlock(pem);
  if (block === undefined) throw new X509Error("no PEM data in input");
  if (block.type === "PRIVATE KEY")
    return withPrefix("decoding PEM as PKCS#8", () => parsePkcs8(block.der));
  if (!block.type.endsWith(" PRIVATE KEY"))
    throw new X509Error(`no private key data in PEM block of type ${block.type}`);
  const parser = BY_PEM_TYPE[block.type];
  if (parser === undefined) throw new X509Error(`invalid private key type ${block.type}`);
  return withPrefix(parser[0], () => parser[1](block.der));
}

// ---- writing ----

function leftPad(b: Buffer, size: number): Buffer {
  return b.length >= size ? b : Buffer.concat([Buffer.alloc(size - b.length), b]);
}

/** The private scalar of an EC key, padded to the curve size (from its SEC1 form). */
function ecScalar(key: KeyObject, curve: Curve): Buffer {
  const der = key.export({ type: "sec1", format: "der" });
  const d = sequenceOf(der, readElement(der, 0))[1];
  if (d?.tag !== TAG.octetString) throw new DerError("not an EC private key");
  return leftPad(Buffer.from(der.subarray(d.contentStart, d.end)), curve.size);
}

/** The uncompressed public point of an EC key (what Go marshals, whatever the input had). */
function ecPoint(key: KeyObject, curve: Curve): Buffer {
  const ecdh = createECDH(curve.nodeName);
  ecdh.setPrivateKey(ecScalar(key, curve));
  return ecdh.getPublicKey(null, "uncompressed");
}

/** x509.MarshalECPrivateKey. */
function sec1(key: KeyObject, curve: Curve): Buffer {
  return sequence(
    smallInteger(1),
    octetString(ecScalar(key, curve)),
    explicit(0, oid(curve.oid)),
    explicit(1, bitString(ecPoint(key, curve))),
  );
}

/** sprig's pemBlockForKey: PKCS#1 for RSA, SEC1 for ECDSA, PKCS#8 for the rest. */
export function privateKeyPem(k: PrivateKey): string {
  switch (k.kind) {
    case "rsa":
      return encodePem({
        type: "RSA PRIVATE KEY",
        headers: "",
        der: k.key.export({ type: "pkcs1", format: "der" }),
      });
    case "ecdsa":
      return encodePem({ type: "EC PRIVATE KEY", headers: "", der: sec1(k.key, k.curve) });
    case "ed25519":
    case "x25519":
      return encodePem({
        type: "PRIVATE KEY",
        headers: "",
        der: k.key.export({ type: "pkcs8", format: "der" }),
      });
    case "dsa":
      throw new X509Error("x509: unsupported public key type: *dsa.PublicKey");
  }
}

// ---- using ----

/** SubjectPublicKeyInfo as Go's marshalPublicKey writes it; refuses what CreateCertificate refuses. */
export function subjectPublicKeyInfo(k: PrivateKey): Buffer {
  switch (k.kind) {
    case "rsa":
    case "ed25519":
      return createPublicKey(k.key).export({ type: "spki", format: "der" });
    case "ecdsa":
      return sequence(sequence(oid(OID.ec), oid(k.curve.oid)), bitString(ecPoint(k.key, k.curve)));
    case "x25519":
      throw new X509Error("x509: unsupported public key type: *ecdh.PublicKey");
    case "dsa":
      throw new X509Error("x509: unsupported public key type: *dsa.PublicKey");
  }
}

/** The subjectPublicKey bits of an SPKI (what Go hashes for SubjectKeyId). */
export function publicKeyBits(spki: Buffer): Buffer {
  const bits = sequenceOf(spki, readElement(spki, 0))[1];
  if (bits?.tag !== TAG.bitString) throw new DerError("not a public key");
  return spki.subarray(bits.contentStart + 1, bits.end);
}

export interface Signer {
  readonly key: KeyObject;
  /** The signature AlgorithmIdentifier (DER). */
  readonly algorithm: Buffer;
  sign(tbs: Buffer): Buffer;
}

const RSA_MIN_BITS = 1024;

/** The signer Go's CreateCertificate makes of a key (crypto.Signer with its default algorithm). */
export function signerOf(k: PrivateKey): Signer {
  switch (k.kind) {
    case "rsa":
      return {
        key: k.key,
        algorithm: sequence(oid(OID.sha256WithRSA), NULL),
        sign: (tbs) => {
          const bits = k.key.asymmetricKeyDetails?.modulusLength ?? 0;
          if (bits < RSA_MIN_BITS)
            throw new X509Error(
              `crypto/rsa: ${bits}-bit keys are insecure (see https://go.dev/pkg/crypto/rsa#hdr-Minimum_key_size)`,
            );
          return sign("sha256", tbs, k.key);
        },
      };
    case "ecdsa":
      return {
        key: k.key,
        algorithm: sequence(oid(k.curve.signatureOid)),
        sign: (tbs) => sign(k.curve.hash, tbs, k.key),
      };
    case "ed25519":
      return {
        key: k.key,
        algorithm: sequence(oid(OID.ed25519)),
        sign: (tbs) => sign(null, tbs, k.key),
      };
    case "x25519":
    case "dsa":
      throw new X509Error("x509: certificate private key does not implement crypto.Signer");
  }
}
