// sprig v3.3.0's certificate functions: genCA, genSelfSignedCert,
// genSignedCert (RSA-2048 keys), their *WithKey variants, and
// buildCustomCert. They return sprig's `certificate` struct (.Cert, .Key as
// PEM). Checks and their order, and error texts, follow sprig and Go's
// crypto/x509, except that Ferry's messages never quote the values.
import { X509Certificate, generateKeyPairSync, randomBytes } from "node:crypto";
import { FuncError } from "../errors.ts";
import { ANY, GoMap, GoObject, GoSlice, typeName } from "../value.ts";
import type { GoValue } from "../value.ts";
import { fn } from "./conv.ts";
import { COST, charge } from "./cost.ts";
import { TAG, readElement } from "./der.ts";
import { register } from "./index.ts";
import { parseIPForSAN } from "./net-ip.ts";
import { encodePem, firstPemBlock } from "./pem.ts";
import { decodeBase64Std } from "./sprig-misc.ts";
import { createCertificate, issuerOf } from "./x509-cert.ts";
import type { CertTemplate, Issuer } from "./x509-cert.ts";
import { X509Error, parsePrivateKeyPem, privateKeyPem } from "./x509-keys.ts";
import type { PrivateKey } from "./x509-keys.ts";

interface Certificate {
  readonly cert: string;
  readonly key: string;
}

const CERTIFICATE_TYPE = "sprig.certificate";

/** sprig's `certificate` struct: fields Cert and Key; %v prints {Cert Key}. */
function certificateValue(c: Certificate): GoObject {
  return new GoObject({
    typeName: CERTIFICATE_TYPE,
    kind: "struct",
    payload: c,
    str: () => `{${c.cert} ${c.key}}`,
    json: () =>
      new GoMap(
        "string",
        new Map([
          ["Cert", c.cert],
          ["Key", c.key],
        ]),
      ),
    methods: { Cert: () => c.cert, Key: () => c.key },
  });
}

// ---- arguments (Go checks their types before calling the function) ----

/** A []interface{} argument: its items, or null for a nil slice. */
function interfaceSlice(v: GoValue): readonly GoValue[] | null {
  if (v === null || v === undefined) return null;
  if (v instanceof GoSlice && v.elem === ANY) return v.items;
  throw new FuncError(`wrong type for value; expected []interface {}; got ${typeName(v)}`);
}

function certificateArg(v: GoValue): Certificate {
  if (v instanceof GoObject && v.typeName === CERTIFICATE_TYPE) return v.payload as Certificate;
  if (v === null || v === undefined)
    throw new FuncError(`cannot assign nil to ${CERTIFICATE_TYPE}`);
  throw new FuncError(`wrong type for value; expected ${CERTIFICATE_TYPE}; got ${typeName(v)}`);
}

interface SanArgs {
  readonly ips: readonly GoValue[] | null;
  readonly dnsNames: readonly GoValue[] | null;
}

function sanArgs(ips: GoValue, dnsNames: GoValue): SanArgs {
  return { ips: interfaceSlice(ips), dnsNames: interfaceSlice(dnsNames) };
}

// ---- sprig's getBaseCertTemplate ----

function netIPs(items: readonly GoValue[] | null): Buffer[] {
  return (items ?? []).map((item, i) => {
    if (typeof item !== "string")
      throw new FuncError(`error parsing ip: value of type ${typeName(item)} is not a string`);
    const ip = parseIPForSAN(item);
    if (ip === null) throw new FuncError(`error parsing ip: item ${i} is not an IP address`);
    return ip;
  });
}

function dnsNameStrings(items: readonly GoValue[] | null): string[] {
  return (items ?? []).map((item) => {
    if (typeof item !== "string")
      throw new FuncError(
        `error processing alternate dns name: value of type ${typeName(item)} is not a string`,
      );
    return item;
  });
}

const NS_PER_DAY = 86_400_000_000_000n;
const NS_PER_MS = 1_000_000n;

/** time.Now().Add(time.Hour * 24 * time.Duration(days)): the duration wraps at 64 bits as in Go. */
function notAfter(now: number, days: number): number {
  const ns = BigInt.asIntN(64, NS_PER_DAY * BigInt(days));
  const floorMs = ns >= 0n ? ns / NS_PER_MS : -((-ns + NS_PER_MS - 1n) / NS_PER_MS);
  return now + Number(floorMs);
}

function baseTemplate(cn: string, sans: SanArgs, days: number, isCA: boolean): CertTemplate {
  const ipAddresses = netIPs(sans.ips);
  const dnsNames = dnsNameStrings(sans.dnsNames);
  const now = Date.now();
  return {
    serial: randomBytes(16), // rand.Int(rand.Reader, 2^128)
    commonName: cn,
    ipAddresses,
    dnsNames,
    notBefore: now,
    notAfter: notAfter(now, days),
    isCA,
  };
}

// ---- keys and signing ----

function newRsaKey(what: string): PrivateKey {
  charge(COST.rsa2048, what);
  return { kind: "rsa", key: generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey };
}

function parseKey(pem: string, prefix: string): PrivateKey {
  try {
    return parsePrivateKeyPem(pem);
  } catch (e) {
    if (e instanceof X509Error) throw new FuncError(`${prefix}: ${e.message}`);
    throw e;
  }
}

/** sprig's getCertAndKey: the certificate and the signee's key, both PEM. */
function certAndKey(
  t: CertTemplate,
  signee: PrivateKey,
  parent: Issuer | undefined,
  signingKey: PrivateKey,
): GoObject {
  try {
    const der = createCertificate(t, signee, parent, signingKey);
    return certificateValue({
      cert: encodePem({ type: "CERTIFICATE", headers: "", der }),
      key: privateKeyPem(signee),
    });
  } catch (e) {
    if (e instanceof X509Error) throw new FuncError(`error creating certificate: ${e.message}`);
    throw e;
  }
}

/** Go reports a missing TBSCertificate apart from a missing outer SEQUENCE. */
function tbsIsSequence(der: Buffer): boolean {
  try {
    const outer = readElement(der, 0);
    if (outer.tag !== TAG.sequence) return true;
    return readElement(der, outer.contentStart, outer.end).tag === TAG.sequence;
  } catch {
    return true;
  }
}

/** Go's x509.ParseCertificate of a DER block, for the error texts sprig wraps. */
function checkCertificate(der: Buffer): void {
  try {
    new X509Certificate(der);
  } catch {
    throw new X509Error(
      tbsIsSequence(der) ? "x509: malformed certificate" : "x509: malformed tbs certificate",
    );
  }
  if (readElement(der, 0).end !== der.length) throw new X509Error("x509: trailing data");
}

/** The CA of genSignedCert: its parsed certificate and key, checked in sprig's order. */
function signerCA(ca: Certificate): { issuer: Issuer; key: PrivateKey } {
  const block = firstPemBlock(ca.cert);
  if (block === undefined) throw new FuncError("unable to decode certificate");
  let issuer: Issuer;
  try {
    checkCertificate(block.der);
    issuer = issuerOf(block.der);
  } catch (e) {
    const reason = e instanceof X509Error ? e.message : "x509: malformed certificate";
    throw new FuncError(`error parsing certificate: decodedSignerCert.Bytes: ${reason}`);
  }
  return { issuer, key: parseKey(ca.key, "error parsing private key") };
}

// ---- the functions ----

function ca(cn: string, days: number, key: PrivateKey): GoObject {
  return certAndKey(baseTemplate(cn, sanArgs(null, null), days, true), key, undefined, key);
}

function selfSigned(cn: string, sans: SanArgs, days: number, key: PrivateKey): GoObject {
  return certAndKey(baseTemplate(cn, sans, days, false), key, undefined, key);
}

interface SignedArgs {
  readonly cn: string;
  readonly sans: SanArgs;
  readonly days: number;
  readonly ca: Certificate;
}

function signed(a: SignedArgs, key: PrivateKey): GoObject {
  const signer = signerCA(a.ca);
  const t = baseTemplate(a.cn, a.sans, a.days, false);
  return certAndKey(t, key, signer.issuer, signer.key);
}

function signedArgs(args: GoValue[]): SignedArgs {
  const [cn, ips, dns, days, caCert] = args;
  return {
    cn: cn as string,
    sans: sanArgs(ips, dns),
    days: days as number,
    ca: certificateArg(caCert),
  };
}

function buildCustomCert(b64cert: GoValue, b64key: GoValue): GoValue {
  charge(COST.certificate, "buildCustomCert");
  let cert: string;
  let key: string;
  try {
    cert = decodeBase64Std(b64cert as string);
  } catch {
    throw new FuncError("unable to decode base64 certificate");
  }
  try {
    key = decodeBase64Std(b64key as string);
  } catch {
    throw new FuncError("unable to decode base64 private key");
  }
  const block = firstPemBlock(cert);
  if (block === undefined) throw new FuncError("unable to decode certificate");
  try {
    checkCertificate(block.der);
  } catch (e) {
    throw new FuncError(`error parsing certificate: decodedCert.Bytes: ${(e as Error).message}`);
  }
  parseKey(key, "error parsing private key");
  return certificateValue({ cert, key });
}

const S = "string" as const;
const I = "int" as const;
const L = "[]any" as const;
const C = "sprig.certificate" as const;

register({
  buildCustomCert: fn([S, S], buildCustomCert),
  genCA: fn([S, I], (cn, days) => {
    charge(COST.certificate, "genCA");
    return ca(cn as string, days as number, newRsaKey("genCA"));
  }),
  genCAWithKey: fn([S, I, S], (cn, days, pem) => {
    charge(COST.certificate, "genCAWithKey");
    return ca(cn as string, days as number, parseKey(pem as string, "parsing private key"));
  }),
  genSelfSignedCert: fn([S, L, L, I], (cn, ips, dns, days) => {
    const sans = sanArgs(ips, dns);
    charge(COST.certificate, "genSelfSignedCert");
    return selfSigned(cn as string, sans, days as number, newRsaKey("genSelfSignedCert"));
  }),
  genSelfSignedCertWithKey: fn([S, L, L, I, S], (...args) => {
    const [cn, ips, dns, days, pem] = args;
    const sans = sanArgs(ips, dns);
    charge(COST.certificate, "genSelfSignedCertWithKey");
    const key = parseKey(pem as string, "parsing private key");
    return selfSigned(cn as string, sans, days as number, key);
  }),
  genSignedCert: fn([S, L, L, I, C], (...args) => {
    const a = signedArgs(args);
    charge(COST.certificate, "genSignedCert");
    return signed(a, newRsaKey("genSignedCert"));
  }),
  genSignedCertWithKey: fn([S, L, L, I, C, S], (...args) => {
    const a = signedArgs(args);
    charge(COST.certificate, "genSignedCertWithKey");
    return signed(a, parseKey(args[5] as string, "parsing private key"));
  }),
});
