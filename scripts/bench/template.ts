// Benchmark: renders per second of typical ExternalSecret templates (parsed
// templates are cached, so this measures execution). Run: npm run bench
import { compile, render } from "../../src/template/index.ts";

const data = {
  username: "app-user",
  password: "pa$$w0rd-with-some-length",
  host: "postgres.prod.svc.cluster.local",
  port: "5432",
  database: "orders",
  config: '{"registry":"ghcr.io","auth":{"user":"bot","token":"ghp_0123456789abcdef"}}',
};

const templates: Readonly<Record<string, string>> = {
  "connection string":
    "postgres://{{ .username }}:{{ .password | urlquery }}@{{ .host }}:{{ .port }}/{{ .database }}?sslmode=require",
  dockerconfigjson:
    '{{ $c := .config | fromJson }}{"auths":{"{{ $c.registry }}":{"auth":"{{ printf "%s:%s" $c.auth.user $c.auth.token | b64enc }}"}}}',
  "config file": `[database]
host = {{ .host | quote }}
port = {{ .port }}
user = {{ .username | quote }}
{{- range $k, $v := . }}
# {{ $k }}: {{ len $v }} bytes
{{- end }}
`,
};

function bench(name: string, source: string): void {
  const t = compile(source);
  const warm = 2000;
  for (let i = 0; i < warm; i++) t.execute(data);
  const start = process.hrtime.bigint();
  let n = 0;
  const deadline = start + 1_000_000_000n;
  while (process.hrtime.bigint() < deadline) {
    for (let i = 0; i < 500; i++) t.execute(data);
    n += 500;
  }
  const secs = Number(process.hrtime.bigint() - start) / 1e9;
  const rps = n / secs;
  console.log(
    `${name.padEnd(20)} ${Math.round(rps).toLocaleString("en-US").padStart(10)} renders/s  ${(1e6 / rps).toFixed(2)} µs/render`,
  );
}

console.log("template engine (cached parse, execute only):");
for (const [name, source] of Object.entries(templates)) bench(name, source);

// Including the cache lookup of compile(source) on every render.
const start = process.hrtime.bigint();
let n = 0;
const src = templates["connection string"] ?? "";
while (process.hrtime.bigint() - start < 1_000_000_000n) {
  for (let i = 0; i < 500; i++) render(src, data);
  n += 500;
}
const rps = n / (Number(process.hrtime.bigint() - start) / 1e9);
console.log(
  `${"render() w/ lookup".padEnd(20)} ${Math.round(rps).toLocaleString("en-US").padStart(10)} renders/s`,
);
