// Loads every function module and exposes the complete ESO function map.
import type { FuncMap } from "../exec.ts";
import { registered } from "./index.ts";
import "./sprig-strings.ts";
import "./sprig-lists.ts";
import "./sprig-math.ts";
import "./sprig-misc.ts";
import "./sprig-regex.ts";
import "./sprig-semver.ts";
import "./sprig-date.ts";
import "./sprig-crypto.ts";
import "./sprig-certs.ts";
import "./eso-yaml.ts";
import "./eso-crypto.ts";
import "./sprig-case.ts";

export const ESO_FUNCS: FuncMap = registered();
