// ESO's shared provider conformance cases (eso-reference.md §12.2, same
// numbering, fixtures and expected Secrets) run against the ExternalSecret
// controller with the fake provider: one namespace per case, a SecretStore
// named after the namespace whose provider.fake.data holds the case's remote
// secrets, an ExternalSecret `e2e-es` targeting `target-secret`.
//
// Not applicable to the fake provider: 21 FindByTag and 22 FindByTagWithPath
// (the fake, like ESO's, finds by name only; find.tags is rejected as not
// supported).
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { CORE, type KubeObject } from "../../../src/runtime/index.ts";
import {
  ESO,
  installCrds,
  startTestController,
  testClient,
  type TestController,
} from "./framework.ts";
import {
  createEs,
  createFakeStore,
  decode,
  getEs,
  Namespaces,
  setFakeStore,
  sleep,
  waitReady,
  waitSecret,
  waitSecretGone,
  type FakeEntry,
  type Secret,
} from "./es-helpers.ts";

const client = testClient();
const TARGET = "target-secret";
const ES_NAME = "e2e-es";

const secretValue1 = '{"foo1":"foo1-val","bar1":"bar1-val"}';
const secretValue2 = '{"foo2":"foo2-val","bar2":"bar2-val"}';
const dockerConfigJSONKey = ".dockerconfigjson";
const mysecretToStringTemplating = "{{ .mysecret }}";
// ESO's SSH key fixture (abridged: its first five and last body lines),
// with the tab indentation its Go raw string carries.
const SSH_BODY = [
  "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAABlwAAAAdzc2gtcn",
  "NhAAAAAwEAAQAAAYEAsARoZUqo6L5dd0WRjZ2QPq/kKlbjtUY1njzJ01UtdC1u1eSJFUnV",
  "K1J+9b1kEqI4lgAaItaYbpJNSgCe97z6DRxEMTUQ3VhB+X+mPfcN2/I0bYklRxh59OTJcL",
  "FsPX0oCR/5eLXz9MCmelxDX7H8XDh9hP6PThooYP60oaDt0xsZvEyo6OQ43n5FuorSg4vL",
  "aMIQYK/znhBq9kR6XKMO8mULoDa+LnhOWsAY8kJ3fowF/UsQmh6PY/w4DJaypm85+a6Sak",
  "OkcGfqTaOoz2KVAAAAFGtpYW5AREVTS1RPUC1TNFI5S1JQAQIDBAUG",
];
const SSH_KEY = [
  "-----BEGIN OPENSSH PRIVATE KEY-----",
  ...SSH_BODY,
  "-----END OPENSSH PRIVATE KEY-----",
].join("\n\t\t");

interface Expected {
  type?: string;
  data: Record<string, string>;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
}

interface Case {
  secrets: Record<string, string>;
  spec: (ns: string) => Record<string, unknown>;
  expected: Expected;
  target?: string;
  objects?: (ns: string) => { res: typeof CORE.configMaps; obj: KubeObject }[];
  afterSync?: (ns: string, secret: Secret) => Promise<void>;
}

function matches(s: Secret, want: Expected): boolean {
  const meta = s.metadata ?? {};
  const subset = (have: Record<string, string> | undefined, w: Record<string, string> = {}) =>
    Object.entries(w).every(([k, v]) => have?.[k] === v);
  return (
    (s.type ?? "Opaque") === (want.type ?? "Opaque") &&
    JSON.stringify(Object.entries(decode(s)).sort()) ===
      JSON.stringify(Object.entries(want.data).sort()) &&
    subset(meta.labels, want.labels) &&
    subset(meta.annotations, want.annotations) &&
    (want.finalizers ?? []).every((f) => (meta.finalizers ?? []).includes(f))
  );
}

/** ESO's default ExternalSecret of a test case, plus the case's fields. */
function esSpec(ns: string, fields: Record<string, unknown>): Record<string, unknown> {
  const target: Record<string, unknown> = {
    name: TARGET,
    ...(fields["target"] as Record<string, unknown> | undefined),
  };
  // ESO's Go client sends `target.name: ""` as no name at all (omitempty);
  // the CRD rejects an empty string.
  if (target["name"] === "") delete target["name"];
  return {
    refreshInterval: "1h",
    secretStoreRef: { name: ns, kind: "SecretStore" },
    ...fields,
    target,
  };
}

const ref = (key: string, extra: Record<string, unknown> = {}) => ({ key, ...extra });

const cases: Record<string, (ns: string) => Case> = {
  "1 [common] should sync simple secrets from .Data[]": (ns) => ({
    secrets: { [`${ns}-one`]: "bar", [`${ns}-other`]: "bar" },
    spec: () =>
      esSpec(ns, {
        data: [
          { secretKey: `${ns}-one`, remoteRef: ref(`${ns}-one`) },
          { secretKey: `${ns}-other`, remoteRef: ref(`${ns}-other`) },
        ],
      }),
    expected: { data: { [`${ns}-one`]: "bar", [`${ns}-other`]: "bar" } },
  }),
  "2 [common] should sync with empty target name.": (ns) => ({
    secrets: { [`${ns}-one`]: "bar" },
    spec: () =>
      esSpec(ns, {
        target: { name: "" },
        data: [{ secretKey: `${ns}-one`, remoteRef: ref(`${ns}-one`) }],
      }),
    target: ES_NAME,
    expected: { data: { [`${ns}-one`]: "bar" } },
  }),
  "3 [common] should sync multiple secrets from .Data[]": (ns) => ({
    secrets: { [`${ns}-one`]: secretValue1, [`${ns}-two`]: secretValue2 },
    spec: () =>
      esSpec(ns, {
        data: [
          { secretKey: `${ns}-one`, remoteRef: ref(`${ns}-one`, { property: "foo1" }) },
          { secretKey: `${ns}-two`, remoteRef: ref(`${ns}-two`, { property: "bar2" }) },
        ],
      }),
    expected: { data: { [`${ns}-one`]: "foo1-val", [`${ns}-two`]: "bar2-val" } },
  }),
  "4 [common] should sync with empty target name, using json.": (ns) => ({
    secrets: { [`${ns}-one`]: '{"foo":"foo-val","bar":"bar-val"}' },
    spec: () =>
      esSpec(ns, {
        target: { name: "" },
        data: [{ secretKey: `${ns}-one`, remoteRef: ref(`${ns}-one`, { property: "foo" }) }],
      }),
    target: ES_NAME,
    expected: { data: { [`${ns}-one`]: "foo-val" } },
  }),
  "5 [common] should sync json secrets with template": (ns) => ({
    secrets: { [`${ns}-one`]: secretValue1, [`${ns}-other`]: secretValue2 },
    spec: () =>
      esSpec(ns, {
        target: {
          template: {
            metadata: {
              annotations: { example: "annotation" },
              labels: { example: "label" },
              finalizers: ["example.com/finalizer"],
            },
            data: { "my-data": "executed: {{ .one }}|{{ .two }}" },
          },
        },
        data: [
          { secretKey: "one", remoteRef: ref(`${ns}-one`, { property: "foo1" }) },
          { secretKey: "two", remoteRef: ref(`${ns}-other`, { property: "bar2" }) },
        ],
      }),
    expected: {
      data: { "my-data": "executed: foo1-val|bar2-val" },
      labels: { example: "label" },
      annotations: { example: "annotation" },
      finalizers: ["example.com/finalizer"],
    },
    // The finalizer would keep the Secret (and the namespace) forever.
    afterSync: async () => {
      await client.mergePatch(
        CORE.secrets,
        TARGET,
        { metadata: { finalizers: null } },
        { namespace: ns },
      );
      await client.mergePatch(
        ESO.externalSecrets,
        ES_NAME,
        { spec: { target: { template: { metadata: { finalizers: null } } } } },
        { namespace: ns },
      );
    },
  }),
  "6 [common] should sync json secrets with template (templateFrom literal)": (ns) => ({
    secrets: { [`${ns}-one`]: secretValue1, [`${ns}-other`]: secretValue2 },
    spec: () =>
      esSpec(ns, {
        target: {
          template: {
            metadata: { annotations: { example: "annotation" }, labels: { example: "label" } },
            templateFrom: [{ literal: "executed-{{ .one }}: {{ .two }}" }],
          },
        },
        data: [
          { secretKey: "one", remoteRef: ref(`${ns}-one`, { property: "foo1" }) },
          { secretKey: "two", remoteRef: ref(`${ns}-other`, { property: "bar2" }) },
        ],
      }),
    // Replace merge policy: the raw keys one/two are not copied.
    expected: {
      data: { "executed-foo1-val": "bar2-val" },
      labels: { example: "label" },
      annotations: { example: "annotation" },
    },
  }),
  "7 [common] should sync from templateFrom Configmaps": (ns) => ({
    secrets: { [`${ns}-one`]: secretValue1, [`${ns}-other`]: secretValue2 },
    objects: () => [
      {
        res: CORE.configMaps,
        obj: {
          apiVersion: "v1",
          kind: "ConfigMap",
          metadata: { name: "tpl", namespace: ns },
          data: {
            "config.json": '{"foo": "{{ .one }}", "bar": "{{ .two }}"}',
            templated: "{{ .one }}: {{ .two }}",
          },
        } as KubeObject,
      },
    ],
    spec: () =>
      esSpec(ns, {
        target: {
          template: {
            templateFrom: [
              {
                configMap: {
                  name: "tpl",
                  items: [
                    { key: "config.json", templateAs: "Values" },
                    { key: "templated", templateAs: "KeysAndValues" },
                  ],
                },
              },
            ],
          },
        },
        data: [
          { secretKey: "one", remoteRef: ref(`${ns}-one`, { property: "foo1" }) },
          { secretKey: "two", remoteRef: ref(`${ns}-other`, { property: "bar2" }) },
        ],
      }),
    expected: {
      data: {
        "config.json": '{"foo": "foo1-val", "bar": "bar2-val"}',
        "foo1-val": "bar2-val",
      },
    },
  }),
  "8 [common] should sync secrets with dataFrom": (ns) => ({
    secrets: { [`${ns}-one`]: '{ "name": "great-name", "surname": "great-surname" }' },
    spec: () => esSpec(ns, { dataFrom: [{ extract: ref(`${ns}-one`) }] }),
    expected: { data: { name: "great-name", surname: "great-surname" } },
  }),
  "9 [common] should sync nested json secrets with dataFrom extract property": (ns) => ({
    secrets: {
      [`${ns}-one`]: '{"db":{"username":"admin","password":"p@ss","port":5432},"other":"x"}',
    },
    spec: () => esSpec(ns, { dataFrom: [{ extract: ref(`${ns}-one`, { property: "db" }) }] }),
    expected: { data: { username: "admin", password: "p@ss", port: "5432" } },
  }),
  "10 [common] should sync and rewrite secrets with dataFrom": (ns) => ({
    secrets: { [`${ns}-one`]: '{ "username": "myuser.name", "address": "happy street" }' },
    spec: () =>
      esSpec(ns, {
        dataFrom: [
          {
            extract: ref(`${ns}-one`),
            rewrite: [{ regexp: { source: "(.*)", target: "my_$1" } }],
          },
        ],
      }),
    expected: { data: { my_username: "myuser.name", my_address: "happy street" } },
  }),
  "11 [common] should sync nested json secrets and get inner keys": (ns) => ({
    secrets: {
      [`${ns}-one`]: `{
				"name": {"first": "Tom", "last": "Anderson"},
				"friends":
				[
					{"first": "Dale", "last": "Murphy"},
					{"first": "Roger", "last": "Craig"},
					{"first": "Jane", "last": "Murphy"}
				]
			}`,
    },
    spec: () =>
      esSpec(ns, {
        data: [
          { secretKey: "firstname", remoteRef: ref(`${ns}-one`, { property: "name.first" }) },
          {
            secretKey: "first_friend",
            remoteRef: ref(`${ns}-one`, { property: "friends.1.first" }),
          },
        ],
      }),
    expected: { data: { firstname: "Tom", first_friend: "Roger" } },
  }),
  "12 [common] should sync docker configurated json secrets with template simple": (ns) => {
    const dockerconfig = '{"auths":{"https://index.docker.io/v1/": {"auth": "c3R...zE2"}}}';
    return {
      secrets: { [`${ns}-docker-config-example`]: `{"dockerconfig": ${dockerconfig}}` },
      spec: () =>
        esSpec(ns, {
          target: { template: { data: { [dockerConfigJSONKey]: mysecretToStringTemplating } } },
          data: [
            {
              secretKey: "mysecret",
              remoteRef: ref(`${ns}-docker-config-example`, { property: "dockerconfig" }),
            },
          ],
        }),
      expected: { data: { [dockerConfigJSONKey]: dockerconfig } },
    };
  },
  "13 [common] should sync docker configurated json secrets with template": (ns) => {
    const dockerconfig = '{"auths":{"https://index.docker.io/v1/": {"auth": "c3R...zE2"}}}';
    return {
      secrets: {
        [`${ns}-docker-config-example`]: `{"dockerconfig": ${JSON.stringify(dockerconfig)}}`,
      },
      spec: () =>
        esSpec(ns, {
          target: {
            template: {
              type: "kubernetes.io/dockerconfigjson",
              data: { [dockerConfigJSONKey]: mysecretToStringTemplating },
            },
          },
          data: [
            {
              secretKey: "mysecret",
              remoteRef: ref(`${ns}-docker-config-example`, { property: "dockerconfig" }),
            },
          ],
        }),
      expected: {
        type: "kubernetes.io/dockerconfigjson",
        data: { [dockerConfigJSONKey]: dockerconfig },
      },
    };
  },
  "14 [common] should sync ssh key secret": (ns) => ({
    secrets: { [`${ns}-ssh-priv-key-example`]: SSH_KEY },
    spec: () =>
      esSpec(ns, {
        target: {
          template: {
            type: "kubernetes.io/ssh-auth",
            data: { "ssh-privatekey": mysecretToStringTemplating },
          },
        },
        data: [{ secretKey: "mysecret", remoteRef: ref(`${ns}-ssh-priv-key-example`) }],
      }),
    expected: { type: "kubernetes.io/ssh-auth", data: { "ssh-privatekey": SSH_KEY } },
  }),
  "15 [common] should sync ssh key with provider.": (ns) => ({
    secrets: { [`${ns}-docker-config-example`]: JSON.stringify({ "ssh-auth": SSH_KEY }) },
    spec: () =>
      esSpec(ns, {
        target: {
          template: {
            type: "kubernetes.io/ssh-auth",
            data: { "ssh-privatekey": mysecretToStringTemplating },
          },
        },
        data: [
          {
            secretKey: "mysecret",
            remoteRef: ref(`${ns}-docker-config-example`, { property: "ssh-auth" }),
          },
        ],
      }),
    expected: { type: "kubernetes.io/ssh-auth", data: { "ssh-privatekey": SSH_KEY } },
  }),
  "16 [common] should delete secret when provider secret was deleted using .data[]": (ns) => ({
    secrets: { [`${ns}-one`]: "bazz", [`${ns}-other`]: "bazz" },
    spec: () =>
      esSpec(ns, {
        refreshInterval: "2s",
        target: { deletionPolicy: "Delete" },
        data: [
          { secretKey: `${ns}-one`, remoteRef: ref(`${ns}-one`) },
          { secretKey: `${ns}-other`, remoteRef: ref(`${ns}-other`) },
        ],
      }),
    expected: { data: { [`${ns}-one`]: "bazz", [`${ns}-other`]: "bazz" } },
    afterSync: async () => {
      // The remote keys disappear: the store no longer declares them.
      await setFakeStore(client, ns, ns, { data: [{ key: "unrelated", value: "x" }] });
      await waitSecretGone(client, ns, TARGET);
      await waitReady(client, ns, ES_NAME, { status: "True", reason: "SecretDeleted" });
    },
  }),
  "17 [common] should decode secrets with data and dataFrom": (ns) => ({
    secrets: {
      [`${ns}-one`]:
        '{ "name": "Z3JlYXQtbmFtZQ==", "surname": "Z3JlYXQtc3VybmFtZQ==", "address": "happy calm street No. 1" }',
    },
    spec: () =>
      esSpec(ns, {
        dataFrom: [{ extract: ref(`${ns}-one`, { decodingStrategy: "Auto" }) }],
        data: [
          {
            secretKey: "base64",
            remoteRef: ref(`${ns}-one`, { property: "name", decodingStrategy: "Base64" }),
          },
          {
            secretKey: "none",
            remoteRef: ref(`${ns}-one`, { property: "name", decodingStrategy: "None" }),
          },
        ],
      }),
    expected: {
      data: {
        name: "great-name",
        surname: "great-surname",
        address: "happy calm street No. 1",
        base64: "great-name",
        none: "Z3JlYXQtbmFtZQ==",
      },
    },
  }),
  "18 [common] should find secrets by name using .DataFrom[]": (ns) => {
    const prefix = `e2e_find_name_${ns}`;
    return {
      secrets: {
        [`${prefix}_one`]: "one-val",
        [`${prefix}_two`]: "two-val",
        [`e2e_find_other_${ns}`]: "other-val",
      },
      spec: () => esSpec(ns, { dataFrom: [{ find: { name: { regexp: `${prefix}.+` } } }] }),
      expected: { data: { [`${prefix}_one`]: "one-val", [`${prefix}_two`]: "two-val" } },
    };
  },
  "19 [common] should find and rewrite secrets by name using .DataFrom[]": (ns) => {
    const prefix = `e2e_find_and_rewrite_${ns}`;
    return {
      secrets: {
        [`${prefix}_one`]: "one-val",
        [`${prefix}_two`]: "two-val",
        [`e2e_find_other_${ns}`]: "other-val",
      },
      spec: () =>
        esSpec(ns, {
          dataFrom: [
            {
              find: { name: { regexp: `${prefix}.+` } },
              rewrite: [{ regexp: { source: "e2e_find_and_rewrite_(.*)", target: "$1" } }],
            },
          ],
        }),
      expected: { data: { [`${ns}_one`]: "one-val", [`${ns}_two`]: "two-val" } },
    };
  },
  // ESO's fake provider ignores find.path and so does Ferry's (mirrors ESO):
  // the key outside the "path" is found too. Real providers treat path as a
  // name prefix and would return only <ns>-two and <ns>-three.
  "20 [common] should find secrets by name with path (fake: path ignored, as in ESO)": (ns) => ({
    secrets: {
      [`e2e-find-name-${ns}-one`]: "one-val",
      [`${ns}-two`]: "two-val",
      [`${ns}-three`]: "three-val",
    },
    spec: () => esSpec(ns, { dataFrom: [{ find: { path: ns, name: { regexp: ".+" } } }] }),
    expected: {
      data: {
        [`e2e-find-name-${ns}-one`]: "one-val",
        [`${ns}-two`]: "two-val",
        [`${ns}-three`]: "three-val",
      },
    },
  }),
  "23 [regression] should not continuously update status after a successful sync": (ns) => ({
    secrets: { [`${ns}-one`]: "bar" },
    spec: () =>
      esSpec(ns, {
        refreshInterval: "1h",
        data: [{ secretKey: `${ns}-one`, remoteRef: ref(`${ns}-one`) }],
      }),
    expected: { data: { [`${ns}-one`]: "bar" } },
    afterSync: async () => {
      const first = await waitReady(client, ns, ES_NAME, {
        status: "True",
        reason: "SecretSynced",
      });
      await sleep(10_000);
      const later = await getEs(client, ns, ES_NAME);
      assert.ok(later);
      assert.equal(later.metadata?.resourceVersion, first.metadata?.resourceVersion);
      assert.equal(later.status?.refreshTime, first.status?.refreshTime);
      assert.equal(later.status?.syncedResourceVersion, first.status?.syncedResourceVersion);
    },
  }),
};

describe("ExternalSecret conformance, ESO §12.2 common cases (fake provider, e2e)", () => {
  let ctl: TestController;
  const namespaces = new Namespaces();

  before(async () => {
    await installCrds();
    ctl = await startTestController({ concurrent: 4 });
  });
  after(async () => {
    await ctl.stop();
    await namespaces.removeAll();
  });

  describe("cases", { concurrency: true }, () => {
    for (const [title, make] of Object.entries(cases)) {
      it(title, async () => {
        const ns = await namespaces.create("es-conf");
        const tc = make(ns.name);
        const data: FakeEntry[] = Object.entries(tc.secrets).map(([key, value]) => ({
          key,
          value,
        }));
        await createFakeStore(client, ns.name, data);
        for (const { res, obj } of tc.objects?.(ns.name) ?? []) {
          await client.create(res, obj, { namespace: ns.name });
        }
        await createEs(client, ns.name, ES_NAME, tc.spec(ns.name));
        const target = tc.target ?? TARGET;
        let secret: Secret | undefined;
        try {
          secret = await waitSecret(client, ns.name, target, (s) => matches(s, tc.expected));
        } catch (err) {
          const got = await client.get<Secret>(CORE.secrets, target, { namespace: ns.name });
          assert.deepEqual(
            { type: got.type, data: decode(got), meta: got.metadata },
            tc.expected,
            (err as Error).message,
          );
          throw err;
        }
        await tc.afterSync?.(ns.name, secret);
      });
    }
  });
});
