// X.509 certificates as Go's x509.CreateCertificate writes them for sprig's
// certificate template: same fields, extensions (order, criticality and
// encoding), string types, time encodings, SubjectKeyId/AuthorityKeyId rules
// and the same checks, in the same order, as Go 1.26.
import { X509Certificate, createHash, createPublicKey } from "node:crypto";
import type { KeyObject } from "node:crypto";
import {
  TAG,
  TRUE,
  bitString,
  children,
  content,
  explicit,
  octetString,
  oid,
  readElement,
  readOid,
  sequence,
  sequenceOf,
  set,
  tlv,
  unsignedInteger,
  whole,
} from "./der.ts";
import { X509Error, publicKeyBits, signerOf, subjectPublicKeyInfo } from "./x509-keys.ts";
import type { PrivateKey } from "./x509-keys.ts";

/** What sprig's getBaseCertTemplate sets (plus IsCA and the CA key usage of genCA). */
export interface CertTemplate {
  readonly serial: Buffer;
  /** Common name as a byte string. */
  readonly commonName: string;
  /** IP SANs, already encoded (4 or 16 bytes). */
  readonly ipAddresses: readonly Buffer[];
  /** DNS SANs as byte strings. */
  readonly dnsNames: readonly string[];
  /** Unix milliseconds. */
  readonly notBefore: number;
  readonly notAfter: number;
  readonly isCA: boolean;
}

/** A parsed issuing certificate: what CreateCertificate takes from `parent`. */
export interface Issuer {
  readonly rawSubject: Buffer;
  readonly subjectKeyId: Buffer | undefined;
  readonly publicKey: KeyObject | undefined;
}

const OID = {
  commonName: "2.5.4.3",
  keyUsage: "2.5.29.15",
  extKeyUsage: "2.5.29.37",
  basicConstraints: "2.5.29.19",
  subjectKeyId: "2.5.29.14",
  authorityKeyId: "2.5.29.35",
  subjectAltName: "2.5.29.17",
  serverAuth: "1.3.6.1.5.5.7.3.1",
  clientAuth: "1.3.6.1.5.5.7.3.2",
} as const;

// KeyUsage bit strings as Go's marshalKeyUsage encodes them (trailing zero bits dropped):
// DigitalSignature|KeyEncipherment, and the same plus CertSign for a CA.
const KEY_USAGE_LEAF = bitString(Buffer.from([0xa0]), 5);
const KEY_USAGE_CA = bitString(Buffer.from([0xa4]), 2);

/** encoding/asn1's choice for an untyped string: PrintableString when it can, else UTF8String. */
function directoryString(s: string): Buffer {
  const bytes = Buffer.from(s, "latin1");
  if (/^[a-zA-Z0-9'()+,\-./:=? ]*$/.test(s)) return tlv(TAG.printableString, bytes);
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new X509Error("asn1: string not valid UTF-8");
  }
  return tlv(TAG.utf8String, bytes);
}

/** pkix.Name{CommonName: cn}.ToRDNSequence(): empty when cn is empty. */
function subjectName(commonName: string): Buffer {
  if (commonName === "") return sequence();
  return sequence(set(sequence(oid(OID.commonName), directoryString(commonName))));
}

const two = (n: number): string => String(n).padStart(2, "0");

/** encoding/asn1 time: UTCTime for 1950 ≤ year < 2050, else GeneralizedTime (seconds, UTC). */
function asn1Time(ms: number): Buffer {
  const d = new Date(ms);
  const year = d.getUTCFullYear();
  const rest = `${two(d.getUTCMonth() + 1)}${two(d.getUTCDate())}${two(d.getUTCHours())}${two(d.getUTCMinutes())}${two(d.getUTCSeconds())}Z`;
  if (year >= 1950 && year < 2050) return tlv(TAG.utcTime, Buffer.from(two(year % 100) + rest));
  if (year < 0 || year > 9999)
    throw new X509Error("asn1: structure error: cannot represent time as GeneralizedTime");
  return tlv(TAG.generalizedTime, Buffer.from(String(year).padStart(4, "0") + rest));
}

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return critical
    ? sequence(oid(id), TRUE, octetString(value))
    : sequence(oid(id), octetString(value));
}

/** marshalSANs: DNS names (IA5String) first, then IP addresses. */
function subjectAltNames(t: CertTemplate): Buffer {
  const names: Buffer[] = [];
  for (const dns of t.dnsNames) {
    // Go ranges over runes: any byte ≥ 0x80 is a non-ASCII rune or RuneError.
    if (Buffer.from(dns, "latin1").some((b) => b > 0x7f))
      throw new X509Error("x509: a DNS name cannot be encoded as an IA5String");
    names.push(tlv(0x82, Buffer.from(dns, "latin1")));
  }
  for (const ip of t.ipAddresses) names.push(tlv(0x87, ip));
  return sequence(...names);
}

interface KeyIds {
  readonly subjectKeyId: Buffer | undefined;
  readonly authorityKeyId: Buffer | undefined;
}

/** buildCertExtensions for sprig's template: key usage, ext key usage, basic constraints, key ids, SANs. */
function extensions(t: CertTemplate, ids: KeyIds, subjectIsEmpty: boolean): Buffer {
  const exts = [
    extension(OID.keyUsage, true, t.isCA ? KEY_USAGE_CA : KEY_USAGE_LEAF),
    extension(OID.extKeyUsage, false, sequence(oid(OID.serverAuth), oid(OID.clientAuth))),
    extension(OID.basicConstraints, true, t.isCA ? sequence(TRUE) : sequence()),
  ];
  if (ids.subjectKeyId !== undefined)
    exts.push(extension(OID.subjectKeyId, false, octetString(ids.subjectKeyId)));
  if (ids.authorityKeyId !== undefined)
    exts.push(extension(OID.authorityKeyId, false, sequence(tlv(0x80, ids.authorityKeyId))));
  if (t.dnsNames.length > 0 || t.ipAddresses.length > 0)
    exts.push(extension(OID.subjectAltName, subjectIsEmpty, subjectAltNames(t)));
  return explicit(3, sequence(...exts));
}

/**
 * x509.CreateCertificate(template, parent, signee's public key, signing key).
 * parent undefined: self-signed (the template is its own parent). Returns the DER.
 */
export function createCertificate(
  t: CertTemplate,
  signee: PrivateKey,
  parent: Issuer | undefined,
  signingKey: PrivateKey,
): Buffer {
  const signer = signerOf(signingKey);
  const spki = subjectPublicKeyInfo(signee);
  const subject = subjectName(t.commonName);
  const issuer = parent === undefined ? subject : parent.rawSubject;
  const subjectKeyId = t.isCA
    ? createHash("sha256").update(publicKeyBits(spki)).digest().subarray(0, 20)
    : undefined;
  // Go takes the parent's SubjectKeyId unless issuer and subject are the same bytes.
  const authorityKeyId =
    !issuer.equals(subject) && parent?.subjectKeyId !== undefined && parent.subjectKeyId.length > 0
      ? parent.subjectKeyId
      : undefined;
  const parentKey = parent?.publicKey;
  if (parentKey !== undefined && !createPublicKey(signer.key).equals(parentKey))
    throw new X509Error("x509: provided PrivateKey doesn't match parent's PublicKey");
  const exts = extensions(t, { subjectKeyId, authorityKeyId }, subject.length === 2);
  const tbs = sequence(
    explicit(0, Buffer.from([TAG.integer, 1, 2])),
    unsignedInteger(t.serial),
    signer.algorithm,
    issuer,
    sequence(asn1Time(t.notBefore), asn1Time(t.notAfter)),
    subject,
    spki,
    exts,
  );
  return sequence(tbs, signer.algorithm, bitString(signer.sign(tbs)));
}

/** What CreateCertificate needs of a parsed issuing certificate: raw subject, key id, key. */
export function issuerOf(der: Buffer): Issuer {
  // Node (OpenSSL) validates the structure; the fields come from the DER itself.
  const cert = new X509Certificate(der);
  const tbs = sequenceOf(der, readElement(der, 0))[0];
  if (tbs === undefined) throw new X509Error("x509: malformed certificate");
  const fields = sequenceOf(der, tbs);
  const first = fields[0]?.tag === 0xa0 ? 1 : 0;
  const subject = fields[first + 4];
  if (subject?.tag !== TAG.sequence) throw new X509Error("x509: malformed certificate");
  let publicKey: KeyObject | undefined;
  try {
    publicKey = cert.publicKey;
  } catch {
    publicKey = undefined; // a key type Go would not parse either: no key check
  }
  return {
    rawSubject: whole(der, subject),
    subjectKeyId: subjectKeyIdOf(
      der,
      fields.find((f) => f.tag === 0xa3),
    ),
    publicKey,
  };
}

function subjectKeyIdOf(
  der: Buffer,
  exts: ReturnType<typeof readElement> | undefined,
): Buffer | undefined {
  if (exts === undefined) return undefined;
  const list = children(der, exts)[0];
  if (list === undefined) return undefined;
  for (const ext of sequenceOf(der, list)) {
    const parts = sequenceOf(der, ext);
    const id = parts[0];
    const value = parts[parts.length - 1];
    if (id === undefined || value?.tag !== TAG.octetString) continue;
    if (readOid(der, id) !== OID.subjectKeyId) continue;
    const inner = content(der, value);
    return content(inner, readElement(inner, 0));
  }
  return undefined;
}
