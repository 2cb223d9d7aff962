// ESLint rule `ferry/layer-boundaries`: refuses relative imports that cross
// the architecture's layers the wrong way.
//
// Options: { basePath, zones: [{ target, from, except?, message }] } where
// target and from are paths (or arrays of paths) relative to basePath and
// except lists paths relative to `from`. An import from a file inside
// `target` of a module inside `from` (and not inside an `except`) is an error.
//
// Written here rather than taken from eslint-plugin-import-x: that plugin
// pulls native resolver bindings for every platform, which this project's
// package registry does not all carry, so `npm ci` could not install it.
import { dirname, isAbsolute, relative, resolve } from "node:path";

const asArray = (value) => (Array.isArray(value) ? value : [value]);

/** True when `path` is `dir` or inside it. */
function isInside(path, dir) {
  const rel = relative(dir, path);
  return rel === "" || (!rel.startsWith("..") && !isAbsolute(rel));
}

function violation(zones, basePath, file, imported) {
  for (const zone of zones) {
    if (!asArray(zone.target).some((t) => isInside(file, resolve(basePath, t)))) continue;
    for (const from of asArray(zone.from)) {
      const fromPath = resolve(basePath, from);
      if (!isInside(imported, fromPath)) continue;
      const excepted = (zone.except ?? []).some((e) => isInside(imported, resolve(fromPath, e)));
      if (!excepted) return zone;
    }
  }
  return undefined;
}

export const layerBoundaries = {
  meta: {
    type: "problem",
    docs: { description: "enforce the layer boundaries of the architecture guide" },
    schema: [{ type: "object", additionalProperties: true }],
    messages: { crossing: 'Import of "{{path}}" crosses a layer boundary: {{message}}' },
  },
  create(context) {
    const { basePath, zones } = context.options[0];
    const file = context.physicalFilename;
    const check = (source) => {
      if (source?.type !== "Literal" || typeof source.value !== "string") return;
      if (!source.value.startsWith(".")) return;
      const zone = violation(zones, basePath, file, resolve(dirname(file), source.value));
      if (zone !== undefined) {
        context.report({
          node: source,
          messageId: "crossing",
          data: { path: source.value, message: zone.message },
        });
      }
    };
    return {
      ImportDeclaration: (node) => check(node.source),
      ExportNamedDeclaration: (node) => check(node.source),
      ExportAllDeclaration: (node) => check(node.source),
      ImportExpression: (node) => check(node.source),
    };
  },
};

export default { rules: { "layer-boundaries": layerBoundaries } };
