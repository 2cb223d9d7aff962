// Lint for Ferry: typescript-eslint's strict type-checked rules plus the
// layer boundaries of docs/architecture.md (section "Dependency rules").
// The boundary rules are errors on purpose. Do not relax them: when an import
// is refused, the code is in the wrong layer, not the rule.
import { readdirSync } from "node:fs";
import { join } from "node:path";
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import ferry from "./eslint-rules/layer-boundaries.js";

/** Sub-folders of a source folder (empty when the folder does not exist yet). */
function subdirs(path) {
  try {
    return readdirSync(join(import.meta.dirname, path), { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name);
  } catch {
    return [];
  }
}

const LAYERS = [
  "api",
  "runtime",
  "template",
  "esutils",
  "providers",
  "generators",
  "controllers",
  "webhooks",
  "cli",
];
const src = (p) => `./src/${p}`;
const allBut = (...allowed) => LAYERS.filter((l) => !allowed.includes(l)).map(src);

// Tests of controllers may drive the fake provider; production code may not.
const providerContracts = ["./provider.ts", "./registry.ts", "./errors.ts"];
const testProviders = [...providerContracts, "./fake", "./testing"];

const boundaryZones = (forTests) => [
  {
    target: src("api"),
    from: allBut("api"),
    message: "api (L0) is pure data: it imports nothing else of Ferry.",
  },
  {
    target: src("runtime"),
    from: allBut("runtime"),
    message: "runtime (L1) is a generic controller kit and knows nothing about ESO.",
  },
  {
    target: src("template"),
    from: allBut("template"),
    message: "template (L1) is a pure engine with no dependency on the rest of Ferry.",
  },
  {
    // esutils shares the template engine's Go regexp and JSON semantics
    // (upstream's esutils imports its template package too).
    target: src("esutils"),
    from: allBut("esutils", "api", "runtime", "template"),
    message: "esutils (L2) may import only api, template and the runtime client interface.",
  },
  {
    target: src("esutils"),
    from: src("runtime"),
    except: ["./client"],
    message: "esutils may use only runtime/client from the runtime.",
  },
  {
    target: src("providers"),
    from: allBut("providers", "api", "esutils", "template"),
    message: "providers (L3) may import api, esutils and their vendor SDK only.",
  },
  {
    // Allow-list: the webhook provider renders its URL, headers and body as
    // templates, as upstream's does; no other provider needs the engine.
    target: [
      ...providerRootFiles(),
      ...subdirs("src/providers")
        .filter((name) => name !== "webhook")
        .map((name) => src(`providers/${name}`)),
    ],
    from: src("template"),
    message: "only the webhook provider may import the template engine.",
  },
  {
    target: src("generators"),
    from: allBut("generators", "api", "esutils", "providers"),
    message: "generators (L3) may import api, esutils and allow-listed provider auth only.",
  },
  {
    target: src("controllers"),
    from: allBut("controllers", "api", "runtime", "template", "esutils", "providers", "generators"),
    message: "controllers (L4) must not import webhooks or cli.",
  },
  {
    target: src("controllers"),
    from: src("providers"),
    except: forTests ? testProviders : providerContracts,
    message: "controllers reach providers only through the registry.",
  },
  {
    target: src("controllers"),
    from: src("generators"),
    except: ["./generator.ts", "./registry.ts"],
    message: "controllers reach generators only through the registry.",
  },
  {
    target: src("webhooks"),
    from: allBut("webhooks", "api", "runtime", "providers"),
    message: "webhooks may import api, runtime/webhook and the provider registry only.",
  },
  {
    target: src("webhooks"),
    from: src("providers"),
    except: ["./provider.ts", "./registry.ts", "./errors.ts"],
    message: "webhooks reach providers only through the registry.",
  },
  {
    target: "./src",
    from: "./test",
    message: "production code never imports tests.",
  },
  // Only the composition root (cli) knows the concrete providers and generators.
  {
    target: allBut("cli"),
    from: [src("providers/all.ts"), src("generators/all.ts")],
    message: "only src/cli imports providers/all.ts and generators/all.ts.",
  },
  ...perFolderZones(),
];

/** The top-level files of src/providers (contracts, registry, all.ts). */
function providerRootFiles() {
  try {
    return readdirSync(join(import.meta.dirname, "src/providers"), { withFileTypes: true })
      .filter((d) => d.isFile())
      .map((d) => src(`providers/${d.name}`));
  } catch {
    return [];
  }
}

function perFolderZones() {
  const zones = [];
  // A provider imports only its own folder among the providers, plus the contracts.
  for (const name of subdirs("src/providers")) {
    zones.push({
      target: src(`providers/${name}`),
      from: src("providers"),
      except: [`./${name}`, "./provider.ts", "./errors.ts", "./referent-client.ts"],
      message:
        "a provider may import only its own folder and providers/{provider,errors,referent-client}.ts.",
    });
  }
  // A controller imports only its own folder and controllers/common.
  for (const kind of subdirs("src/controllers")) {
    if (kind === "common") continue;
    zones.push({
      target: src(`controllers/${kind}`),
      from: src("controllers"),
      except: [`./${kind}`, "./common"],
      message: "a controller may import only its own folder and controllers/common.",
    });
  }
  return zones;
}

export default tseslint.config(
  {
    ignores: ["node_modules/", "dist/", ".tools/", ".testenv/", "deploy/", "**/*.gen.ts"],
  },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  ...tseslint.configs.stylisticTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    plugins: { ferry },
    rules: {
      "ferry/layer-boundaries": [
        "error",
        { basePath: import.meta.dirname, zones: boundaryZones(false) },
      ],
      "@typescript-eslint/no-floating-promises": [
        "error",
        {
          // node:test runs suites itself; their returned promises are not ours to await.
          allowForKnownSafeCalls: [
            { from: "package", package: "node:test", name: ["describe", "it", "test", "suite"] },
          ],
        },
      ],
      // @kubernetes/client-node models are plain data classes without
      // behaviour; object literals of their shape are the documented usage.
      "@typescript-eslint/no-unsafe-class-instance-assignment": "off",
      "@typescript-eslint/no-misused-promises": "error",
      "@typescript-eslint/switch-exhaustiveness-check": [
        "error",
        { considerDefaultExhaustiveForUnions: true },
      ],
      "@typescript-eslint/explicit-module-boundary-types": "error",
      "@typescript-eslint/consistent-type-imports": "error",
      "@typescript-eslint/restrict-template-expressions": ["error", { allowNumber: true }],
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" },
      ],
      complexity: ["error", 10],
      "max-params": ["error", 4],
      "max-depth": ["error", 3],
      "no-console": "error",
    },
  },
  {
    // The template engine is a lexer, a parser and an interpreter of Go's
    // template language: their dispatch functions mirror the grammar, and
    // splitting them to fit the general budget would hide it.
    files: ["src/template/**/*.ts"],
    rules: { complexity: ["error", 30] },
  },
  {
    // Tests: table-driven and linear; the budgets that shape production code
    // add nothing there.
    files: ["**/*.test.ts", "test/**/*.ts"],
    rules: {
      "ferry/layer-boundaries": [
        "error",
        { basePath: import.meta.dirname, zones: boundaryZones(true) },
      ],
      complexity: "off",
      "max-depth": "off",
      "@typescript-eslint/no-non-null-assertion": "off",
    },
  },
  {
    // Scripts and the CLI talk to a terminal.
    files: ["scripts/**/*.ts", "src/cli/**/*.ts", "test/**/*.ts"],
    rules: { "no-console": "off" },
  },
  {
    files: ["**/*.js"],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    files: ["**/*.js"],
    rules: { "@typescript-eslint/explicit-module-boundary-types": "off" },
  },
);
