// The conformance cases ESO's vault suite runs (eso-reference.md §12.3:
// common cases 3-8, 10, 13, 17-19), with ESO's fixtures and expected
// Secrets, written for a Vault KV store: every remote value is a JSON object
// (what a KV secret is), so the values ESO's cases keep as JSON text are
// stored as the objects they encode.
//
// A case lives in one namespace next to other cases (one store per auth
// variant), so its remote keys carry the case number and its ExternalSecret
// and target Secret are named after it.
import type { KubeObject } from "../../../../src/runtime/index.ts";

export interface Expected {
  readonly type?: string;
  readonly data: Readonly<Record<string, string>>;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly finalizers?: readonly string[];
}

export interface CaseContext {
  /** The namespace (and the variant's uniqueness). */
  readonly ns: string;
  /** The ExternalSecret's secretStoreRef. */
  readonly storeRef: { readonly name: string; readonly kind: string };
}

export interface VaultCase {
  readonly id: string;
  readonly title: string;
  /** Remote KV secrets: key → data object. */
  readonly secrets: Readonly<Record<string, Record<string, unknown>>>;
  readonly spec: Record<string, unknown>;
  /** The target Secret's name. */
  readonly target: string;
  readonly expected: Expected;
  /** Objects to create in the namespace first (ConfigMaps of templateFrom). */
  readonly configMaps?: readonly KubeObject[];
  /** Undo what would keep the namespace from being deleted (finalizers). */
  readonly finalizers?: boolean;
}

const secretValue1 = { foo1: "foo1-val", bar1: "bar1-val" };
const secretValue2 = { foo2: "foo2-val", bar2: "bar2-val" };
const dockerConfigJSONKey = ".dockerconfigjson";
const mysecretToStringTemplating = "{{ .mysecret }}";

export const esName = (id: string): string => `es-${id}`;
export const targetName = (id: string): string => `target-${id}`;

function spec(
  c: CaseContext,
  id: string,
  fields: Record<string, unknown>,
): Record<string, unknown> {
  const target: Record<string, unknown> = {
    name: targetName(id),
    ...(fields["target"] as Record<string, unknown> | undefined),
  };
  // ESO sends `target.name: ""` as no name at all (omitempty).
  if (target["name"] === "") delete target["name"];
  return { refreshInterval: "1h", secretStoreRef: c.storeRef, ...fields, target };
}

const ref = (key: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  key,
  ...extra,
});

type CaseMaker = (c: CaseContext, id: string, key: (suffix: string) => string) => VaultCase;

const makers: Record<string, CaseMaker> = {
  "3": (c, id, key) => ({
    id,
    title: "[common] should sync multiple secrets from .Data[]",
    secrets: { [key("one")]: secretValue1, [key("two")]: secretValue2 },
    spec: spec(c, id, {
      data: [
        { secretKey: key("one"), remoteRef: ref(key("one"), { property: "foo1" }) },
        { secretKey: key("two"), remoteRef: ref(key("two"), { property: "bar2" }) },
      ],
    }),
    target: targetName(id),
    expected: { data: { [key("one")]: "foo1-val", [key("two")]: "bar2-val" } },
  }),
  "4": (c, id, key) => ({
    id,
    title: "[common] should sync with empty target name, using json.",
    secrets: { [key("one")]: { foo: "foo-val", bar: "bar-val" } },
    spec: spec(c, id, {
      target: { name: "" },
      data: [{ secretKey: key("one"), remoteRef: ref(key("one"), { property: "foo" }) }],
    }),
    target: esName(id),
    expected: { data: { [key("one")]: "foo-val" } },
  }),
  "5": (c, id, key) => ({
    id,
    title: "[common] should sync json secrets with template",
    secrets: { [key("one")]: secretValue1, [key("other")]: secretValue2 },
    spec: spec(c, id, {
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
        { secretKey: "one", remoteRef: ref(key("one"), { property: "foo1" }) },
        { secretKey: "two", remoteRef: ref(key("other"), { property: "bar2" }) },
      ],
    }),
    target: targetName(id),
    expected: {
      data: { "my-data": "executed: foo1-val|bar2-val" },
      labels: { example: "label" },
      annotations: { example: "annotation" },
      finalizers: ["example.com/finalizer"],
    },
    finalizers: true,
  }),
  "6": (c, id, key) => ({
    id,
    title: "[common] should sync json secrets with template (templateFrom literal)",
    secrets: { [key("one")]: secretValue1, [key("other")]: secretValue2 },
    spec: spec(c, id, {
      target: {
        template: {
          metadata: { annotations: { example: "annotation" }, labels: { example: "label" } },
          templateFrom: [{ literal: "executed-{{ .one }}: {{ .two }}" }],
        },
      },
      data: [
        { secretKey: "one", remoteRef: ref(key("one"), { property: "foo1" }) },
        { secretKey: "two", remoteRef: ref(key("other"), { property: "bar2" }) },
      ],
    }),
    target: targetName(id),
    expected: {
      data: { "executed-foo1-val": "bar2-val" },
      labels: { example: "label" },
      annotations: { example: "annotation" },
    },
  }),
  "7": (c, id, key) => ({
    id,
    title: "[common] should sync from templateFrom Configmaps",
    secrets: { [key("one")]: secretValue1, [key("other")]: secretValue2 },
    configMaps: [
      {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: `tpl-${id}`, namespace: c.ns },
        data: {
          "config.json": '{"foo": "{{ .one }}", "bar": "{{ .two }}"}',
          templated: "{{ .one }}: {{ .two }}",
        },
      } as KubeObject,
    ],
    spec: spec(c, id, {
      target: {
        template: {
          templateFrom: [
            {
              configMap: {
                name: `tpl-${id}`,
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
        { secretKey: "one", remoteRef: ref(key("one"), { property: "foo1" }) },
        { secretKey: "two", remoteRef: ref(key("other"), { property: "bar2" }) },
      ],
    }),
    target: targetName(id),
    expected: {
      data: { "config.json": '{"foo": "foo1-val", "bar": "bar2-val"}', "foo1-val": "bar2-val" },
    },
  }),
  "8": (c, id, key) => ({
    id,
    title: "[common] should sync secrets with dataFrom",
    secrets: { [key("one")]: { name: "great-name", surname: "great-surname" } },
    spec: spec(c, id, { dataFrom: [{ extract: ref(key("one")) }] }),
    target: targetName(id),
    expected: { data: { name: "great-name", surname: "great-surname" } },
  }),
  "10": (c, id, key) => ({
    id,
    title: "[common] should sync and rewrite secrets with dataFrom",
    secrets: { [key("one")]: { username: "myuser.name", address: "happy street" } },
    spec: spec(c, id, {
      dataFrom: [
        { extract: ref(key("one")), rewrite: [{ regexp: { source: "(.*)", target: "my_$1" } }] },
      ],
    }),
    target: targetName(id),
    expected: { data: { my_username: "myuser.name", my_address: "happy street" } },
  }),
  "13": (c, id, key) => {
    const dockerconfig = '{"auths":{"https://index.docker.io/v1/": {"auth": "c3R...zE2"}}}';
    return {
      id,
      title: "[common] should sync docker configurated json secrets with template",
      secrets: { [key("docker-config-example")]: { dockerconfig } },
      spec: spec(c, id, {
        target: {
          template: {
            type: "kubernetes.io/dockerconfigjson",
            data: { [dockerConfigJSONKey]: mysecretToStringTemplating },
          },
        },
        data: [
          {
            secretKey: "mysecret",
            remoteRef: ref(key("docker-config-example"), { property: "dockerconfig" }),
          },
        ],
      }),
      target: targetName(id),
      expected: {
        type: "kubernetes.io/dockerconfigjson",
        data: { [dockerConfigJSONKey]: dockerconfig },
      },
    };
  },
  "17": (c, id, key) => ({
    id,
    title: "[common] should decode secrets with data and dataFrom",
    secrets: {
      [key("one")]: {
        name: "Z3JlYXQtbmFtZQ==",
        surname: "Z3JlYXQtc3VybmFtZQ==",
        address: "happy calm street No. 1",
      },
    },
    spec: spec(c, id, {
      dataFrom: [{ extract: ref(key("one"), { decodingStrategy: "Auto" }) }],
      data: [
        {
          secretKey: "base64",
          remoteRef: ref(key("one"), { property: "name", decodingStrategy: "Base64" }),
        },
        {
          secretKey: "none",
          remoteRef: ref(key("one"), { property: "name", decodingStrategy: "None" }),
        },
      ],
    }),
    target: targetName(id),
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
  "18": (c, id) => {
    const prefix = `e2e_find_name_${c.ns}`;
    const value = { foo1: "foo1-val" };
    return {
      id,
      title: "[common] should find secrets by name using .DataFrom[]",
      secrets: {
        [`${prefix}_one`]: value,
        [`${prefix}_two`]: value,
        [`e2e_find_other_${c.ns}`]: value,
      },
      spec: spec(c, id, { dataFrom: [{ find: { name: { regexp: `${prefix}.+` } } }] }),
      target: targetName(id),
      expected: {
        data: {
          [`${prefix}_one`]: '{"foo1":"foo1-val"}',
          [`${prefix}_two`]: '{"foo1":"foo1-val"}',
        },
      },
    };
  },
  "19": (c, id) => {
    const prefix = `e2e_find_and_rewrite_${c.ns}`;
    const value = { foo1: "foo1-val" };
    return {
      id,
      title: "[common] should find and rewrite secrets by name using .DataFrom[]",
      secrets: {
        [`${prefix}_one`]: value,
        [`${prefix}_two`]: value,
        [`e2e_find_other_${c.ns}`]: value,
      },
      spec: spec(c, id, {
        dataFrom: [
          {
            find: { name: { regexp: `${prefix}.+` } },
            rewrite: [{ regexp: { source: "e2e_find_and_rewrite_(.*)", target: "$1" } }],
          },
        ],
      }),
      target: targetName(id),
      expected: {
        data: { [`${c.ns}_one`]: '{"foo1":"foo1-val"}', [`${c.ns}_two`]: '{"foo1":"foo1-val"}' },
      },
    };
  },
};

/** ESO's vault suite cases for one namespace and store. */
export function vaultCases(c: CaseContext): VaultCase[] {
  return Object.entries(makers).map(([id, make]) => make(c, id, (s) => `${c.ns}-c${id}-${s}`));
}

export const CASE_IDS = Object.keys(makers);
