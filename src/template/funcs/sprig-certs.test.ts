// sprig's certificate functions: certificates are random, so they are
// checked structurally, with node:crypto (X509Certificate, KeyObject) and
// node-forge's ASN.1 parser (independent of Ferry's DER code). The field
// by field comparison with Go's crypto/x509 is scripts/template-oracle/check-certs.ts.
import assert from "node:assert/strict";
import {
  X509Certificate,
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
} from "node:crypto";
import type { KeyObject } from "node:crypto";
import { describe, it } from "node:test";
import forge from "node-forge";
import { TemplateError, render } from "../index.ts";
import type { TemplateData } from "../index.ts";
import { parseIPForSAN } from "./net-ip.ts";

interface Pair {
  Cert: string;
  Key: string;
}

/** Renders a template that outputs toJson of a dict of certificates. */
function certs(source: string, data: TemplateData = {}): Record<string, Pair> {
  return JSON.parse(render(source, data)) as Record<string, Pair>;
}

const KEYS = new Map<string, string>();
/** A fixed key per curve or type, generated once (PKCS#8 PEM). */
function keyPem(kind: string): string {
  const hit = KEYS.get(kind);
  if (hit !== undefined) return hit;
  const opts: Record<string, () => KeyObject> = {
    "P-224": () => gen("ec", { namedCurve: "P-224" }),
    "P-256": () => gen("ec", { namedCurve: "P-256" }),
    "P-384": () => gen("ec", { namedCurve: "P-384" }),
    "P-521": () => gen("ec", { namedCurve: "P-521" }),
    ed25519: () => gen("ed25519", {}),
    x25519: () => gen("x25519", {}),
    rsa1024: () => gen("rsa", { modulusLength: 1024 }),
    rsa512: () => gen("rsa", { modulusLength: 512 }),
  };
  const make = opts[kind];
  assert.ok(make, kind);
  const pem = make().export({ type: "pkcs8", format: "pem" }).toString();
  KEYS.set(kind, pem);
  return pem;
}

function gen(type: string, options: object): KeyObject {
  const generate = generateKeyPairSync as (t: string, o: object) => { privateKey: KeyObject };
  return generate(type, options).privateKey;
}

// ---- an independent look at the DER (node-forge) ----

interface Ext {
  critical: boolean;
  value: forge.asn1.Asn1;
  raw: string;
}

function asn1Of(pem: string): forge.asn1.Asn1 {
  const der = new X509Certificate(pem).raw.toString("binary");
  return forge.asn1.fromDer(der);
}

function children(n: forge.asn1.Asn1): forge.asn1.Asn1[] {
  return n.value as forge.asn1.Asn1[];
}

function tbsOf(pem: string): forge.asn1.Asn1[] {
  return children(children(asn1Of(pem))[0]!);
}

function extensionsOf(pem: string): Map<string, Ext> & { order: string[] } {
  const tbs = tbsOf(pem);
  const wrapper = tbs.find(
    (n) => n.tagClass === forge.asn1.Class.CONTEXT_SPECIFIC && (n.type as number) === 3,
  );
  const out = new Map<string, Ext>() as Map<string, Ext> & { order: string[] };
  out.order = [];
  for (const ext of children(children(wrapper!)[0]!)) {
    const parts = children(ext);
    const id = forge.asn1.derToOid(parts[0]!.value as string);
    const critical = parts.length === 3 && (parts[1]!.value as string) === "\xff";
    const raw = parts[parts.length - 1]!.value as string;
    out.set(id, { critical, value: forge.asn1.fromDer(raw), raw });
    out.order.push(id);
  }
  return out;
}

function signatureAlgorithm(pem: string): string {
  const alg = children(children(asn1Of(pem))[1]!);
  return forge.asn1.derToOid(alg[0]!.value as string);
}

/** The time types (UTCTime 23 / GeneralizedTime 24) of NotBefore and NotAfter. */
function timeTypes(pem: string): number[] {
  const tbs = tbsOf(pem);
  const validity = tbs[tbs[0]!.tagClass === forge.asn1.Class.CONTEXT_SPECIFIC ? 4 : 3]!;
  return children(validity).map((t) => t.type);
}

const OID = {
  keyUsage: "2.5.29.15",
  extKeyUsage: "2.5.29.37",
  basicConstraints: "2.5.29.19",
  subjectKeyId: "2.5.29.14",
  authorityKeyId: "2.5.29.35",
  subjectAltName: "2.5.29.17",
  serverAuth: "1.3.6.1.5.5.7.3.1",
  clientAuth: "1.3.6.1.5.5.7.3.2",
  sha256WithRSA: "1.2.840.113549.1.1.11",
  ecdsaSha256: "1.2.840.10045.4.3.2",
  ecdsaSha384: "1.2.840.10045.4.3.3",
  ecdsaSha512: "1.2.840.10045.4.3.4",
  ed25519: "1.3.101.112",
};

/** KeyUsage bits as names (RFC 5280 bit order). */
function keyUsage(pem: string): string[] {
  const ext = extensionsOf(pem).get(OID.keyUsage)!;
  const bits = ext.value.value as string; // first byte: unused bits
  const names = ["digitalSignature", "contentCommitment", "keyEncipherment", "dataEncipherment"];
  names.push("keyAgreement", "keyCertSign", "cRLSign", "encipherOnly");
  const b = bits.charCodeAt(1);
  return names.filter((_, i) => (b & (0x80 >> i)) !== 0);
}

function subjectKeyIdOf(pem: string): Buffer | undefined {
  const ext = extensionsOf(pem).get(OID.subjectKeyId);
  return ext === undefined ? undefined : Buffer.from(ext.value.value as string, "binary");
}

function authorityKeyIdOf(pem: string): Buffer | undefined {
  const ext = extensionsOf(pem).get(OID.authorityKeyId);
  if (ext === undefined) return undefined;
  return Buffer.from(children(ext.value)[0]!.value as string, "binary");
}

/** SHA-256 of the subjectPublicKey bits, truncated to 160 bits (Go 1.25+). */
function expectedKeyId(cert: X509Certificate): Buffer {
  const spki = cert.publicKey.export({ type: "spki", format: "der" });
  // (forge's typings predate its options argument)
  const fromDer = forge.asn1.fromDer as unknown as (der: string, o: object) => forge.asn1.Asn1;
  const tree = fromDer(spki.toString("binary"), { decodeBitStrings: false });
  const bits = children(tree)[1]!.value as string;
  return createHash("sha256")
    .update(Buffer.from(bits.slice(1), "binary"))
    .digest()
    .subarray(0, 20);
}

function days(cert: X509Certificate): number {
  return (cert.validToDate.getTime() - cert.validFromDate.getTime()) / 86_400_000;
}

function publicKeysEqual(a: KeyObject, b: KeyObject): boolean {
  return a.equals(b);
}

function checkPair(p: Pair): X509Certificate {
  const cert = new X509Certificate(p.Cert);
  const key = createPrivateKey(p.Key);
  assert.ok(publicKeysEqual(createPublicKey(key), cert.publicKey), "the key is the certificate's");
  assert.ok(cert.checkPrivateKey(key));
  return cert;
}

describe("genCA", () => {
  const before = Math.floor(Date.now() / 1000) * 1000;
  const { ca } = certs('{{ toJson (dict "ca" (genCA "Ferry Root CA" 365)) }}');
  const after = Date.now();
  const cert = checkPair(ca!);

  it("is a self-signed CA with an RSA-2048 key", () => {
    assert.equal(cert.subject, "CN=Ferry Root CA");
    assert.equal(cert.issuer, cert.subject);
    assert.ok(cert.ca);
    assert.ok(cert.verify(cert.publicKey));
    assert.ok(cert.checkIssued(cert));
    assert.equal(cert.publicKey.asymmetricKeyType, "rsa");
    assert.equal(cert.publicKey.asymmetricKeyDetails!.modulusLength, 2048);
    assert.equal(cert.publicKey.asymmetricKeyDetails!.publicExponent, 65537n);
    assert.match(
      ca!.Key,
      /^-----BEGIN RSA PRIVATE KEY-----\n[A-Za-z0-9+/=\n]+-----END RSA PRIVATE KEY-----\n$/,
    );
    assert.match(
      ca!.Cert,
      /^-----BEGIN CERTIFICATE-----\n(?:[A-Za-z0-9+/=]{64}\n)+[A-Za-z0-9+/=]{1,64}\n-----END CERTIFICATE-----\n$/,
    );
    assert.equal(signatureAlgorithm(ca!.Cert), OID.sha256WithRSA);
  });

  it("is valid from now for daysValid days, with a random serial of at most 128 bits", () => {
    assert.ok(cert.validFromDate.getTime() >= before && cert.validFromDate.getTime() <= after);
    assert.equal(days(cert), 365);
    assert.ok(BigInt(`0x${cert.serialNumber}`) < 2n ** 128n);
    assert.deepEqual(timeTypes(ca!.Cert), [forge.asn1.Type.UTCTIME, forge.asn1.Type.UTCTIME]);
  });

  it("has sprig's CA extensions, in Go's order and criticality", () => {
    const exts = extensionsOf(ca!.Cert);
    assert.deepEqual(exts.order, [
      OID.keyUsage,
      OID.extKeyUsage,
      OID.basicConstraints,
      OID.subjectKeyId,
    ]);
    assert.deepEqual(keyUsage(ca!.Cert), ["digitalSignature", "keyEncipherment", "keyCertSign"]);
    assert.equal(exts.get(OID.keyUsage)!.critical, true);
    assert.deepEqual(cert.keyUsage, [OID.serverAuth, OID.clientAuth]);
    assert.equal(exts.get(OID.extKeyUsage)!.critical, false);
    assert.equal(exts.get(OID.basicConstraints)!.critical, true);
    assert.equal(
      Buffer.from(exts.get(OID.basicConstraints)!.raw, "binary").toString("hex"),
      "30030101ff",
    );
    assert.deepEqual(subjectKeyIdOf(ca!.Cert), expectedKeyId(cert));
    assert.equal(cert.subjectAltName, undefined);
  });
});

describe("genSignedCert", () => {
  const out = certs(
    '{{ $ca := genCA "Ferry CA" 30 }}{{ toJson (dict "ca" $ca "leaf" (genSignedCert "leaf.example.com" (list "10.0.0.1" "2001:db8::1" "::ffff:192.0.2.7") (list "leaf.example.com" "*.leaf.example.com") 90 $ca)) }}',
  );
  const ca = checkPair(out["ca"]!);
  const leaf = checkPair(out["leaf"]!);

  it("is signed by the CA and names it as issuer", () => {
    assert.equal(leaf.subject, "CN=leaf.example.com");
    assert.equal(leaf.issuer, "CN=Ferry CA");
    assert.ok(leaf.checkIssued(ca));
    assert.ok(leaf.verify(ca.publicKey));
    assert.ok(!leaf.verify(leaf.publicKey));
    assert.equal(leaf.ca, false);
    assert.equal(days(leaf), 90);
    assert.notEqual(leaf.serialNumber, ca.serialNumber);
  });

  it("has DNS names then IPs as SANs, IPv4-mapped addresses as IPv4", () => {
    assert.equal(
      leaf.subjectAltName,
      "DNS:leaf.example.com, DNS:*.leaf.example.com, IP Address:10.0.0.1, IP Address:2001:DB8:0:0:0:0:0:1, IP Address:192.0.2.7",
    );
    assert.equal(leaf.checkIP("192.0.2.7"), "192.0.2.7");
    assert.equal(leaf.checkHost("x.leaf.example.com"), "*.leaf.example.com");
  });

  it("has the leaf extensions and the CA's key id as authority key id", () => {
    const exts = extensionsOf(out["leaf"]!.Cert);
    assert.deepEqual(exts.order, [
      OID.keyUsage,
      OID.extKeyUsage,
      OID.basicConstraints,
      OID.authorityKeyId,
      OID.subjectAltName,
    ]);
    assert.deepEqual(keyUsage(out["leaf"]!.Cert), ["digitalSignature", "keyEncipherment"]);
    assert.equal(
      Buffer.from(exts.get(OID.basicConstraints)!.raw, "binary").toString("hex"),
      "3000",
    );
    assert.equal(exts.get(OID.subjectAltName)!.critical, false);
    assert.deepEqual(authorityKeyIdOf(out["leaf"]!.Cert), subjectKeyIdOf(out["ca"]!.Cert));
    assert.equal(subjectKeyIdOf(out["leaf"]!.Cert), undefined);
  });

  it("marks the SANs critical when the subject is empty, and omits the key id when subject = issuer", () => {
    const o = certs(
      '{{ $ca := genCAWithKey "same" 1 .ca }}{{ toJson (dict "empty" (genSignedCertWithKey "" (list "10.0.0.2") nil 1 $ca .k) "same" (genSignedCertWithKey "same" nil nil 1 $ca .k)) }}',
      { ca: keyPem("P-384"), k: keyPem("P-256") },
    );
    const empty = new X509Certificate(o["empty"]!.Cert);
    assert.equal(empty.subject, undefined);
    assert.equal(
      Buffer.from(forge.asn1.toDer(tbsOf(o["empty"]!.Cert)[5]!).getBytes(), "binary").toString(
        "hex",
      ),
      "3000",
    );
    assert.equal(extensionsOf(o["empty"]!.Cert).get(OID.subjectAltName)!.critical, true);
    assert.equal(authorityKeyIdOf(o["same"]!.Cert), undefined);
  });
});

describe("genSelfSignedCert", () => {
  it("is self-signed, not a CA, with its SANs", () => {
    const { c } = certs(
      '{{ toJson (dict "c" (genSelfSignedCert "self" (list "127.0.0.1") (list "localhost") 7)) }}',
    );
    const cert = checkPair(c!);
    assert.equal(cert.subject, "CN=self");
    assert.equal(cert.issuer, "CN=self");
    assert.ok(cert.verify(cert.publicKey));
    assert.equal(cert.ca, false);
    assert.equal(cert.subjectAltName, "DNS:localhost, IP Address:127.0.0.1");
    assert.equal(days(cert), 7);
    assert.equal(extensionsOf(c!.Cert).get(OID.authorityKeyId), undefined);
    assert.match(c!.Key, /^-----BEGIN RSA PRIVATE KEY-----/);
  });

  it("nil and empty lists give no SAN extension", () => {
    const o = certs(
      '{{ toJson (dict "a" (genSelfSignedCertWithKey "a" nil nil 1 .k) "b" (genSelfSignedCertWithKey "b" (list) (list) 1 .k)) }}',
      { k: keyPem("P-256") },
    );
    for (const p of Object.values(o))
      assert.equal(extensionsOf(p.Cert).get(OID.subjectAltName), undefined);
  });
});

describe("*WithKey: the key types sprig accepts", () => {
  const cases: { kind: string; pemType: string; sig: string }[] = [
    { kind: "P-224", pemType: "EC PRIVATE KEY", sig: OID.ecdsaSha256 },
    { kind: "P-256", pemType: "EC PRIVATE KEY", sig: OID.ecdsaSha256 },
    { kind: "P-384", pemType: "EC PRIVATE KEY", sig: OID.ecdsaSha384 },
    { kind: "P-521", pemType: "EC PRIVATE KEY", sig: OID.ecdsaSha512 },
    { kind: "ed25519", pemType: "PRIVATE KEY", sig: OID.ed25519 },
    { kind: "rsa1024", pemType: "RSA PRIVATE KEY", sig: OID.sha256WithRSA },
  ];
  for (const tc of cases) {
    it(`${tc.kind} (PKCS#8 in, ${tc.pemType} out)`, () => {
      const input = keyPem(tc.kind);
      const o = certs(
        '{{ $ca := genCAWithKey "ca" 1 .k }}{{ toJson (dict "ca" $ca "self" (genSelfSignedCertWithKey "s" nil nil 1 .k) "leaf" (genSignedCertWithKey "l" nil nil 1 $ca .k)) }}',
        { k: input },
      );
      const ca = checkPair(o["ca"]!);
      for (const name of ["ca", "self", "leaf"]) {
        const p = o[name]!;
        assert.ok(p.Key.startsWith(`-----BEGIN ${tc.pemType}-----\n`), p.Key);
        assert.ok(createPrivateKey(p.Key).equals(createPrivateKey(input)), "same key");
        assert.equal(signatureAlgorithm(p.Cert), tc.sig);
      }
      assert.ok(new X509Certificate(o["leaf"]!.Cert).verify(ca.publicKey));
      assert.deepEqual(subjectKeyIdOf(o["ca"]!.Cert), expectedKeyId(ca));
    });
  }

  it("keeps a SEC1 and a PKCS#1 key as they are (sprig re-encodes to the same bytes)", () => {
    const sec1 = createPrivateKey(keyPem("P-256"))
      .export({ type: "sec1", format: "pem" })
      .toString();
    const pkcs1 = createPrivateKey(keyPem("rsa1024"))
      .export({ type: "pkcs1", format: "pem" })
      .toString();
    const out = render('{{ (genCAWithKey "a" 1 .ec).Key }}{{ (genCAWithKey "b" 1 .rsa).Key }}', {
      ec: sec1,
      rsa: pkcs1,
    });
    assert.equal(out, sec1 + pkcs1);
  });

  it("signs across key types (an RSA CA signs an EC leaf, an EC CA an Ed25519 leaf)", () => {
    const o = certs(
      '{{ $r := genCAWithKey "r" 1 .rsa }}{{ $e := genCAWithKey "e" 1 .ec }}{{ toJson (dict "r" $r "e" $e "a" (genSignedCertWithKey "a" nil nil 1 $r .ec) "b" (genSignedCertWithKey "b" nil nil 1 $e .ed)) }}',
      { rsa: keyPem("rsa1024"), ec: keyPem("P-384"), ed: keyPem("ed25519") },
    );
    const a = new X509Certificate(o["a"]!.Cert);
    const b = new X509Certificate(o["b"]!.Cert);
    assert.ok(a.verify(new X509Certificate(o["r"]!.Cert).publicKey));
    assert.equal(signatureAlgorithm(o["a"]!.Cert), OID.sha256WithRSA);
    assert.ok(b.verify(new X509Certificate(o["e"]!.Cert).publicKey));
    assert.equal(signatureAlgorithm(o["b"]!.Cert), OID.ecdsaSha384);
    assert.equal(b.publicKey.asymmetricKeyType, "ed25519");
  });

  const refused: { kind: string; pattern: RegExp }[] = [
    {
      kind: "x25519",
      pattern:
        /error creating certificate: x509: certificate private key does not implement crypto.Signer/,
    },
    {
      kind: "rsa512",
      pattern: /error creating certificate: crypto\/rsa: 512-bit keys are insecure/,
    },
  ];
  for (const tc of refused) {
    it(`refuses ${tc.kind} as Go does`, () => {
      assert.throws(
        () => render('{{ genCAWithKey "x" 1 .k }}', { k: keyPem(tc.kind) }),
        tc.pattern,
      );
    });
  }
});

describe("arguments", () => {
  it("validity: zero, negative, past 2050 (GeneralizedTime) and Go's 64-bit duration wrap", () => {
    const o = certs(
      '{{ toJson (dict "zero" (genCAWithKey "z" 0 .k) "neg" (genCAWithKey "n" -1 .k) "long" (genCAWithKey "l" 36500 .k) "wrap" (genCAWithKey "w" 106752 .k)) }}',
      { k: keyPem("P-256") },
    );
    const c = (n: string): X509Certificate => new X509Certificate(o[n]!.Cert);
    assert.equal(days(c("zero")), 0);
    assert.equal(days(c("neg")), -1);
    assert.equal(days(c("long")), 36500);
    assert.deepEqual(timeTypes(o["long"]!.Cert), [
      forge.asn1.Type.UTCTIME,
      forge.asn1.Type.GENERALIZEDTIME,
    ]);
    // 106752 days of nanoseconds overflow int64: Go's NotAfter lands ~292 years in the past.
    const wrapped = c("wrap").validToDate.getTime() - c("wrap").validFromDate.getTime();
    const expected = Number(BigInt.asIntN(64, 106752n * 86_400_000_000_000n) / 1_000_000n);
    assert.ok(Math.abs(wrapped - expected) < 1000, `${wrapped} vs ${expected}`);
  });

  it("common names: PrintableString when possible, else UTF8String", () => {
    const o = certs(
      '{{ toJson (dict "p" (genCAWithKey "Plain CA" 1 .k) "u" (genCAWithKey "Zürich *" 1 .k)) }}',
      {
        k: keyPem("P-256"),
      },
    );
    const cnType = (pem: string): number => {
      const subject = tbsOf(pem)[5]!;
      return children(children(children(subject)[0]!)[0]!)[1]!.type;
    };
    assert.equal(cnType(o["p"]!.Cert), forge.asn1.Type.PRINTABLESTRING);
    assert.equal(cnType(o["u"]!.Cert), forge.asn1.Type.UTF8);
    assert.equal(new X509Certificate(o["u"]!.Cert).subject, "CN=Zürich *");
  });

  const errors: { source: string; pattern: RegExp }[] = [
    {
      source: '{{ genSelfSignedCertWithKey "x" (splitList "," "a") nil 1 .k }}',
      pattern: /wrong type for value; expected \[\]interface \{\}; got \[\]string/,
    },
    {
      source: '{{ genSelfSignedCertWithKey "x" (list 1) nil 1 .k }}',
      pattern: /error parsing ip: value of type int is not a string/,
    },
    {
      source: '{{ genSelfSignedCertWithKey "x" (list "1.2.3.04") nil 1 .k }}',
      pattern: /error parsing ip: item 0 is not an IP address/,
    },
    {
      source: '{{ genSelfSignedCertWithKey "x" nil (list "ok" true) 1 .k }}',
      pattern: /error processing alternate dns name: value of type bool is not a string/,
    },
    {
      source: '{{ genSelfSignedCertWithKey "x" nil (list "é.example") 1 .k }}',
      pattern: /cannot be encoded as an IA5String/,
    },
    {
      source: '{{ genSignedCertWithKey "x" nil nil 1 (dict "Cert" "a" "Key" "b") .k }}',
      pattern: /expected sprig.certificate; got map\[string\]interface \{\}/,
    },
    {
      source: '{{ genSignedCertWithKey "x" nil nil 1 nil .k }}',
      pattern: /cannot assign nil to sprig.certificate/,
    },
    {
      source: '{{ genCAWithKey "x" 1 "junk" }}',
      pattern: /parsing private key: no PEM data in input/,
    },
    {
      source:
        '{{ $ca := genCAWithKey "ca" 1 .k }}{{ genSignedCertWithKey "x" nil nil 1 (buildCustomCert ($ca.Cert | b64enc) (.other | b64enc)) .k }}',
      pattern: /x509: provided PrivateKey doesn't match parent's PublicKey/,
    },
    { source: '{{ buildCustomCert "%%" "" }}', pattern: /unable to decode base64 certificate/ },
  ];
  for (const tc of errors) {
    it(`fails: ${tc.source}`, () => {
      assert.throws(
        () => render(tc.source, { k: keyPem("P-256"), other: keyPem("P-384") }),
        tc.pattern,
      );
    });
  }

  it("never puts an IP, a DNS name or a key from the data into the error", () => {
    const secret = "s3cr3t-value.internal";
    for (const source of [
      "{{ genSelfSignedCertWithKey .s (list (upper .s)) nil 1 .k }}",
      '{{ genSelfSignedCertWithKey .s nil (list (printf "%s-é" .s)) 1 .k }}',
      '{{ genCAWithKey .s 1 (printf "-----BEGIN %s PRIVATE KEY-----\\nAAAA\\n-----END %s PRIVATE KEY-----\\n" .s .s) }}',
    ]) {
      try {
        render(source, { s: secret, k: keyPem("P-256") });
        assert.fail("expected an error");
      } catch (e) {
        assert.ok(e instanceof TemplateError);
        assert.ok(!e.message.toLowerCase().includes(secret.toLowerCase()), e.message);
      }
    }
  });
});

describe("the certificate value", () => {
  const k = keyPem("ed25519");
  it("has sprig's type, fields, %v and JSON form", () => {
    const out = render(
      '{{ $c := genCAWithKey "x" 1 .k }}{{ typeOf $c }}|{{ kindOf $c }}|{{ eq (printf "%v" $c) (printf "{%s %s}" $c.Cert $c.Key) }}|{{ toJson $c | fromJson | keys | sortAlpha | join "," }}',
      { k },
    );
    assert.equal(out, "sprig.certificate|struct|true|Cert,Key");
  });

  it("buildCustomCert keeps the decoded PEM text and works as a CA", () => {
    const o = certs(
      '{{ $ca := genCAWithKey "root" 3 .k }}{{ toJson (dict "ca" $ca "copy" (buildCustomCert (b64enc $ca.Cert) (b64enc $ca.Key))) }}',
      { k },
    );
    assert.deepEqual(o["copy"], o["ca"]);
    const leaf = certs(
      '{{ $ca := buildCustomCert .c .key }}{{ toJson (dict "l" (genSignedCertWithKey "l" nil nil 1 $ca .k)) }}',
      {
        c: Buffer.from(o["ca"]!.Cert).toString("base64"),
        key: Buffer.from(o["ca"]!.Key).toString("base64"),
        k,
      },
    );
    assert.ok(
      new X509Certificate(leaf["l"]!.Cert).verify(new X509Certificate(o["ca"]!.Cert).publicKey),
    );
  });
});

describe("work budget", () => {
  it("stops a loop of key generations with a limit error", () => {
    const start = Date.now();
    try {
      render(
        '{{ range until 1000 }}{{ (genCA "x" 1).Cert | len }}{{ end }}',
        {},
        { limits: { maxSteps: 120_000 } },
      );
      assert.fail("expected the budget to stop the loop");
    } catch (e) {
      assert.ok(e instanceof TemplateError);
      assert.equal(e.kind, "limit");
      assert.match(e.message, /genCA exceeded the crypto work budget/);
    }
    assert.ok(Date.now() - start < 10_000, "two key generations at most");
  });

  it("charges signatures, bcrypt and RSA-4096 keys too", () => {
    const k = keyPem("P-256");
    assert.throws(
      () =>
        render(
          '{{ range until 100000 }}{{ (genCAWithKey "x" 1 $.k).Cert | len }}{{ end }}',
          { k },
          { limits: { maxSteps: 20_000 } },
        ),
      /genCAWithKey exceeded the crypto work budget/,
    );
    assert.throws(
      () =>
        render(
          '{{ range until 100000 }}{{ bcrypt "x" | len }}{{ end }}',
          {},
          { limits: { maxSteps: 60_000 } },
        ),
      /bcrypt exceeded the crypto work budget/,
    );
    assert.throws(
      () => render('{{ genPrivateKey "rsa" }}', {}, { limits: { maxSteps: 100_000 } }),
      /genPrivateKey exceeded/,
    );
  });

  it("each execution has its own budget", () => {
    const t = '{{ (genCAWithKey "x" 1 .k).Cert | len | lt 0 }}';
    for (let i = 0; i < 5; i++)
      assert.equal(render(t, { k: keyPem("P-256") }, { limits: { maxSteps: 2_000 } }), "true");
  });
});

describe("Go's net.ParseIP", () => {
  const ok: [string, string][] = [
    ["1.2.3.4", "01020304"],
    ["0.0.0.0", "00000000"],
    ["::", "00000000000000000000000000000000"],
    ["::1", "00000000000000000000000000000001"],
    ["::ffff:1.2.3.4", "01020304"],
    ["::ffff:0102:0304", "01020304"],
    ["::1.2.3.4", "00000000000000000000000001020304"],
    ["2001:DB8::1", "20010db8000000000000000000000001"],
    ["1:2:3:4:5:6:7:8", "00010002000300040005000600070008"],
    ["1:2:3:4:5:6:1.2.3.4", "00010002000300040005000601020304"],
    ["1::", "00010000000000000000000000000000"],
  ];
  for (const [s, hex] of ok)
    it(`accepts ${s}`, () => {
      assert.equal(parseIPForSAN(s)?.toString("hex"), hex);
    });
  const bad = [
    "",
    "1.2.3",
    "1.2.3.4.5",
    "01.2.3.4",
    "256.0.0.0",
    "1.2.3.4 ",
    "::1%eth0",
    "%1",
    "1::2::3",
    ":1",
    "1:",
    "12345::",
    "1:2:3:4:5:6:7:8:9",
    "1:2:3:4:5:6:7:8::",
    "1:2:3:4:5:1.2.3.4",
    "[::1]",
    "localhost",
    "1.2.3.-4",
    "::ffff:1.2.3",
  ];
  for (const s of bad)
    it(`refuses ${JSON.stringify(s)}`, () => {
      assert.equal(parseIPForSAN(s), null);
    });
});
