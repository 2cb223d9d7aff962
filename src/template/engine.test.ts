// Unit tests of the engine API, limits, security properties, and the
// functions the Go oracle cannot check (random output, ESO's own functions).
import assert from "node:assert/strict";
import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  publicEncrypt,
  constants,
  X509Certificate,
} from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import bcryptjs from "bcryptjs";
import { TemplateError, compile, fromJSON, funcMap, render } from "./index.ts";
import type { TemplateData } from "./index.ts";

const fixtures = join(import.meta.dirname, "testdata");
const fixture = (name: string): Buffer => readFileSync(join(fixtures, name));

function fails(source: string, data: TemplateData, pattern: RegExp, limits = {}): TemplateError {
  try {
    render(source, data, { limits });
  } catch (e) {
    assert.ok(e instanceof TemplateError, String(e));
    assert.match(e.message, pattern);
    return e;
  }
  assert.fail(`expected ${source} to fail`);
}

describe("engine API", () => {
  it("caches parsed templates by source, name and delimiters", () => {
    assert.equal(compile("{{ .a }}"), compile("{{ .a }}"));
    assert.notEqual(
      compile("{{ .a }}"),
      compile("{{ .a }}", { leftDelim: "[[", rightDelim: "]]" }),
    );
    assert.notEqual(compile("{{ .a }}"), compile("{{ .a }}", { name: "other" }));
  });

  it("parse errors fail before execution, with kind parse", () => {
    const e = fails("{{ nope }}", {}, /function "nope" not defined/);
    assert.equal(e.kind, "parse");
  });

  const cases: { name: string; source: string; data: TemplateData; want: string }[] = [
    { name: "string data", source: "{{ .a }}-{{ len .a }}", data: { a: "héllo" }, want: "héllo-6" },
    {
      name: "binary data as bytes",
      source: "{{ len .bin }} {{ .bin | b64enc }}",
      data: { bin: new Uint8Array([0, 255, 128, 10]) },
      want: "4 AP+ACg==",
    },
    { name: "dotted key", source: '{{ index . "a.b" }}', data: { "a.b": "x" }, want: "x" },
    { name: "custom delimiters", source: "<< .a >>", data: { a: "y" }, want: "y" },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      const opts = tc.name === "custom delimiters" ? { leftDelim: "<<", rightDelim: ">>" } : {};
      assert.equal(compile(tc.source, opts).execute(tc.data), tc.want);
    });
  }

  it("executeBytes keeps invalid UTF-8 output bytes", () => {
    const out = compile("{{ .bin }}").executeBytes({ bin: new Uint8Array([0xff, 0x00, 0x41]) });
    assert.deepEqual([...out], [0xff, 0x00, 0x41]);
  });

  it("executeValue takes nested JSON data (webhook context)", () => {
    const out = compile("{{ .remoteRef.key }}/{{ .n }}").executeValue(
      fromJSON({ remoteRef: { key: "k" }, n: 1e6 }),
    );
    assert.equal(Buffer.from(out).toString(), "k/1e+06");
  });
});

describe("function map", () => {
  it("excludes I/O functions", () => {
    for (const name of [
      "env",
      "expandenv",
      "getHostByName",
      "include",
      "tpl",
      "lookup",
      "readFile",
    ]) {
      assert.equal(funcMap.has(name), false, name);
    }
  });

  it("contains every sprig function ESO exposes and ESO's own", () => {
    const names =
      "hello ago date date_in_zone date_modify dateInZone dateModify duration durationRound htmlDate htmlDateInZone must_date_modify mustDateModify mustToDate now toDate unixEpoch abbrev abbrevboth trunc trim upper lower title untitle substr repeat trimall trimAll trimSuffix trimPrefix nospace initials randAlphaNum randAlpha randAscii randNumeric swapcase shuffle snakecase camelcase kebabcase wrap wrapWith contains hasPrefix hasSuffix quote squote cat indent nindent replace plural sha1sum sha256sum sha512sum adler32sum toString atoi int64 int float64 seq toDecimal split splitList splitn toStrings until untilStep add1 add sub div mod mul randInt add1f addf subf divf mulf biggest max min maxf minf ceil floor round join sortAlpha default empty coalesce all any compact mustCompact fromJson toJson toPrettyJson toRawJson mustFromJson mustToJson mustToPrettyJson mustToRawJson ternary deepCopy mustDeepCopy typeOf typeIs typeIsLike kindOf kindIs deepEqual base dir clean ext isAbs osBase osClean osDir osExt osIsAbs b64enc b64dec b32enc b32dec hexdec tuple list dict get set unset hasKey pluck keys pick omit merge mergeOverwrite mustMerge mustMergeOverwrite values append push mustAppend mustPush prepend mustPrepend first mustFirst rest mustRest last mustLast initial mustInitial reverse mustReverse uniq mustUniq without mustWithout has mustHas slice mustSlice concat dig chunk mustChunk bcrypt htpasswd genPrivateKey derivePassword buildCustomCert genCA genCAWithKey genSelfSignedCert genSelfSignedCertWithKey genSignedCert genSignedCertWithKey encryptAES decryptAES randBytes uuidv4 semver semverCompare fail regexMatch mustRegexMatch regexFindAll mustRegexFindAll regexFind mustRegexFind regexReplaceAll mustRegexReplaceAll regexReplaceAllLiteral mustRegexReplaceAllLiteral regexSplit mustRegexSplit regexQuoteMeta urlParse urlJoin " +
      "pkcs12key pkcs12keyPass pkcs12cert pkcs12certPass pemToPkcs12 pemToPkcs12Pass fullPemToPkcs12 fullPemToPkcs12Pass pemTruststoreToPKCS12 pemTruststoreToPKCS12Pass filterPEM filterCertChain certSANs jwkPublicKeyPem jwkPrivateKeyPem toYaml fromYaml rsaDecrypt";
    const missing = names.split(" ").filter((n) => !funcMap.has(n));
    assert.deepEqual(missing, []);
  });
});

describe("limits", () => {
  const cases: { name: string; source: string; limits: object; pattern: RegExp }[] = [
    {
      name: "steps",
      source: "{{ range 100000000 }}{{ end }}",
      limits: { maxSteps: 10_000 },
      pattern: /limit of 10000 steps/,
    },
    {
      name: "output",
      source: '{{ range 1000 }}{{ "0123456789" }}{{ end }}',
      limits: { maxOutputBytes: 1000 },
      pattern: /output exceeded the limit of 1000 bytes/,
    },
    {
      name: "string size in a function",
      source: '{{ repeat 100000000 "x" }}',
      limits: {},
      pattern: /exceeds the output limit/,
    },
    {
      name: "list size in a function",
      source: "{{ until 100000000 | len }}",
      limits: {},
      pattern: /exceeds the output limit/,
    },
    {
      name: "template recursion",
      source: '{{ define "r" }}{{ template "r" }}{{ end }}{{ template "r" }}',
      limits: { maxDepth: 50 },
      pattern: /maximum template depth \(50\)/,
    },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      const e = fails(tc.source, {}, tc.pattern, tc.limits);
      assert.equal(e.kind, tc.name === "template recursion" ? "exec" : "limit");
    });
  }
});

describe("errors never include secret values", () => {
  const secret = "hunter2-very-secret";
  const cases = [
    "{{ fail .pw }}",
    '{{ mustToDate "2006-01-02" .pw }}',
    "{{ mustFromJson .pw }}",
    "{{ range .pw }}{{ end }}",
    "{{ eq (list .pw) (list .pw) }}",
    '{{ mustRegexMatch (printf "(%s" .pw) "x" }}',
    '{{ regexFind (printf "(%s" .pw) "x" }}',
    '{{ semverCompare .pw "1.0.0" }}',
  ];
  for (const source of cases) {
    it(source, () => {
      try {
        render(source, { pw: secret });
        assert.fail("expected an error");
      } catch (e) {
        assert.ok(e instanceof TemplateError, String(e));
        assert.ok(!e.message.includes(secret), e.message);
      }
    });
  }
});

describe("non-deterministic functions (shape and round trip)", () => {
  const cases: { source: string; check: (out: string) => void }[] = [
    {
      source: "{{ uuidv4 }}",
      check: (o) => {
        assert.match(o, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      },
    },
    {
      source: "{{ randAlphaNum 16 }}",
      check: (o) => {
        assert.match(o, /^[A-Za-z0-9]{16}$/);
      },
    },
    {
      source: "{{ randAlpha 8 }}",
      check: (o) => {
        assert.match(o, /^[A-Za-z]{8}$/);
      },
    },
    {
      source: "{{ randNumeric 8 }}",
      check: (o) => {
        assert.match(o, /^[0-9]{8}$/);
      },
    },
    {
      source: "{{ randAscii 8 }}",
      check: (o) => {
        assert.match(o, /^[\x20-\x7e]{8}$/);
      },
    },
    {
      source: "{{ randBytes 24 | b64dec | len }}",
      check: (o) => {
        assert.equal(o, "24");
      },
    },
    {
      source: "{{ randInt 3 5 }}",
      check: (o) => {
        assert.ok(o === "3" || o === "4");
      },
    },
    {
      source: '{{ shuffle "abcdef" | splitList "" | sortAlpha | join "" }}',
      check: (o) => {
        assert.equal(o, "abcdef");
      },
    },
    {
      source: '{{ bcrypt "pw" }}',
      check: (o) => {
        assert.ok(o.startsWith("$2a$10$") && bcryptjs.compareSync("pw", o));
      },
    },
    {
      source: '{{ htpasswd "user" "pw" }}',
      check: (o) => {
        assert.ok(bcryptjs.compareSync("pw", o.slice("user:".length)));
      },
    },
    {
      source: '{{ encryptAES "k" "plain text" | decryptAES "k" }}',
      check: (o) => {
        assert.equal(o, "plain text");
      },
    },
    {
      source: '{{ now | date "2006" }}',
      check: (o) => {
        assert.equal(o, String(new Date().getUTCFullYear()));
      },
    },
    {
      source: "{{ now | typeOf }}",
      check: (o) => {
        assert.equal(o, "time.Time");
      },
    },
    {
      source: '{{ genPrivateKey "ecdsa" }}',
      check: (o) => {
        assert.equal(createPrivateKey(o).asymmetricKeyType, "ec");
      },
    },
    {
      source: '{{ genPrivateKey "ed25519" }}',
      check: (o) => {
        assert.equal(createPrivateKey(o).asymmetricKeyType, "ed25519");
      },
    },
  ];
  for (const tc of cases) {
    it(tc.source, () => {
      tc.check(render(tc.source, {}));
    });
  }
});

describe("ESO functions", () => {
  const data: TemplateData = {
    p12: fixture("leaf.p12"),
    p12pass: fixture("leaf-pass.p12"),
    chain: fixture("chain.pem").toString(),
    crt: fixture("leaf.crt").toString(),
    key: fixture("leaf.key").toString(),
  };
  const keyPem = fixture("leaf.key").toString();
  const leaf = new X509Certificate(fixture("leaf.crt"));
  const intermediate = new X509Certificate(fixture("int.crt"));
  const root = new X509Certificate(fixture("root.crt"));
  const certOf = (pem: string): X509Certificate => new X509Certificate(pem);

  const cases: { source: string; check: (out: string) => void }[] = [
    {
      source: "{{ .p12 | pkcs12key }}",
      check: (o) => {
        assert.ok(createPrivateKey(o).equals(createPrivateKey(keyPem)));
      },
    },
    {
      source: '{{ pkcs12keyPass "s3cret" .p12pass }}',
      check: (o) => {
        assert.match(o, /^-----BEGIN PRIVATE KEY-----\n/);
      },
    },
    {
      source: "{{ .p12 | pkcs12cert }}",
      check: (o) => {
        assert.ok(o.includes(leaf.toString().trim().split("\n")[1] ?? ""));
      },
    },
    {
      source: '{{ pkcs12certPass "s3cret" .p12pass }}',
      check: (o) => {
        assert.equal(certOf(o).fingerprint256, leaf.fingerprint256);
      },
    },
    {
      source: '{{ filterPEM "CERTIFICATE" (printf "%s%s" .key .crt) }}',
      check: (o) => {
        assert.equal(certOf(o).fingerprint256, leaf.fingerprint256);
      },
    },
    {
      source: '{{ filterPEM "PRIVATE KEY" (printf "%s%s" .key .crt) }}',
      check: (o) => {
        assert.match(o, /^-----BEGIN PRIVATE KEY-----/);
      },
    },
    {
      source: '{{ filterCertChain "leaf" .chain }}',
      check: (o) => {
        assert.equal(certOf(o).fingerprint256, leaf.fingerprint256);
      },
    },
    {
      source: '{{ filterCertChain "intermediate" .chain }}',
      check: (o) => {
        assert.equal(certOf(o).fingerprint256, intermediate.fingerprint256);
      },
    },
    {
      source: '{{ filterCertChain "root" .chain }}',
      check: (o) => {
        assert.equal(certOf(o).fingerprint256, root.fingerprint256);
      },
    },
    {
      source: "{{ certSANs .chain | toJson }}",
      check: (o) => {
        assert.equal(o, '["app.example.com","www.example.com","10.0.0.1"]');
      },
    },
    {
      source: "{{ pemToPkcs12 .crt .key | b64dec | pkcs12cert }}",
      check: (o) => {
        assert.equal(certOf(o).fingerprint256, leaf.fingerprint256);
      },
    },
    {
      source: '{{ pemToPkcs12Pass .crt .key "pw" | b64dec | pkcs12keyPass "pw" }}',
      check: (o) => {
        assert.match(o, /PRIVATE KEY/);
      },
    },
    {
      source: '{{ fullPemToPkcs12Pass .chain .key "pw" | b64dec | pkcs12certPass "pw" }}',
      check: (o) => {
        assert.equal(o.match(/BEGIN CERTIFICATE/g)?.length, 3);
      },
    },
    {
      source: "{{ pemTruststoreToPKCS12 .chain | b64dec | pkcs12cert }}",
      check: (o) => {
        assert.equal(o.match(/BEGIN CERTIFICATE/g)?.length, 3);
      },
    },
    {
      source: '{{ toYaml (dict "b" (list 1 2) "a" "x") }}',
      check: (o) => {
        assert.equal(o, "a: x\nb:\n- 1\n- 2");
      },
    },
    {
      source: '{{ (fromYaml "a:\\n  b: c").a.b }}',
      check: (o) => {
        assert.equal(o, "c");
      },
    },
  ];
  for (const tc of cases) {
    it(tc.source, () => {
      tc.check(render(tc.source, data));
    });
  }

  it("jwkPublicKeyPem / jwkPrivateKeyPem", () => {
    const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const jwk = JSON.stringify(privateKey.export({ format: "jwk" }));
    const pub = render("{{ jwkPublicKeyPem .jwk }}", { jwk });
    assert.match(pub, /^-----BEGIN PUBLIC KEY-----/);
    assert.ok(createPublicKey(pub).equals(createPublicKey(privateKey)));
    const priv = render("{{ jwkPrivateKeyPem .jwk }}", { jwk });
    assert.ok(createPrivateKey(priv).equals(privateKey));
  });

  it("rsaDecrypt with RSA-OAEP and PKCS#1 v1.5", () => {
    const key = keyPem;
    const oaep = publicEncrypt(
      { key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha256" },
      Buffer.from("top secret"),
    );
    assert.equal(
      render('{{ rsaDecrypt "RSA-OAEP" "SHA256" .c .key }}', { c: oaep, key }),
      "top secret",
    );
    const v15 = publicEncrypt({ key, padding: constants.RSA_PKCS1_PADDING }, Buffer.from("v15"));
    assert.equal(render('{{ rsaDecrypt "None" "None" .c .key }}', { c: v15, key }), "v15");
    fails(
      '{{ rsaDecrypt "RSA-OAEP" "SHA256" .c .key }}',
      { c: "garbage", key },
      /error calling rsaDecrypt: decryption failed/,
    );
  });
});
