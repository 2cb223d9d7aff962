// Executes parsed templates with Go text/template semantics.
import { FuncError, LimitError, TemplateError } from "./errors.ts";
import type { Limits } from "./errors.ts";
import { formatValue } from "./fmt.ts";
import { nodeString } from "./parse.ts";
import type {
  BranchNode,
  ChainNode,
  CommandNode,
  FieldNode,
  IdentifierNode,
  ListNode,
  Node,
  NumberNode,
  PipeNode,
  TemplateNode,
  Tree,
  VariableNode,
} from "./parse.ts";
import { ANY, GoMap, GoNum, GoObject, GoSlice, isTrue, sortedKeys, typeName } from "./value.ts";
import type { GoValue } from "./value.ts";

/** Go parameter types a function can declare. */
export type ParamType =
  | "value"
  | "any"
  | "string"
  | "int"
  | "int64"
  | "uint32"
  | "float64"
  | "bool"
  | "map"
  | "time"
  | "[]string"
  | "[]any"
  | "sprig.certificate";

export interface FuncDef {
  readonly params: readonly ParamType[];
  readonly variadic?: ParamType;
  readonly fn: (...args: GoValue[]) => GoValue;
  /** and/or evaluate their arguments lazily. */
  readonly special?: "and" | "or";
}

export type FuncMap = ReadonlyMap<string, FuncDef>;

const GO_TYPE: Readonly<Record<ParamType, string>> = {
  value: "reflect.Value",
  any: ANY,
  string: "string",
  int: "int",
  int64: "int64",
  uint32: "uint32",
  float64: "float64",
  bool: "bool",
  map: "map[string]interface {}",
  time: "time.Time",
  "[]string": "[]string",
  "[]any": "[]interface {}",
  "sprig.certificate": "sprig.certificate",
};

const MISSING: unique symbol = Symbol("missing");
type Final = GoValue | typeof MISSING;

/** Control flow of {{break}} and {{continue}} (thrown, caught by the range loop). */
class LoopControl extends Error {}
const BREAK = new LoopControl("break");
const CONTINUE = new LoopControl("continue");

class ExecFailure extends Error {}

interface Ctx {
  readonly trees: ReadonlyMap<string, Tree>;
  readonly funcs: FuncMap;
  readonly limits: Limits;
  out: string;
  steps: number;
  depth: number;
}

interface Variable {
  readonly name: string;
  value: GoValue;
}

function isIntLike(v: GoValue): boolean {
  return typeof v === "number" || (v instanceof GoNum && !v.t.startsWith("float"));
}

function valueTypeName(v: GoValue): string {
  return typeName(v);
}

class State {
  readonly ctx: Ctx;
  readonly name: string;
  node: Node | null = null;
  vars: Variable[];

  constructor(ctx: Ctx, name: string, dot: GoValue) {
    this.ctx = ctx;
    this.name = name;
    this.vars = [{ name: "$", value: dot }];
  }

  at(n: Node): void {
    this.node = n;
  }

  errorf(msg: string): never {
    const n = this.node;
    if (n === null) throw new ExecFailure(`template: ${this.name}: ${msg}`);
    const text = n.src.text.slice(0, n.pos);
    const nl = text.lastIndexOf("\n");
    const col = nl < 0 ? n.pos : n.pos - (nl + 1);
    const line = 1 + (text.match(/\n/g)?.length ?? 0);
    throw new ExecFailure(
      `template: ${n.src.parseName}:${line}:${col}: executing "${this.name}" at <${nodeString(n)}>: ${msg}`,
    );
  }

  step(): void {
    if (++this.ctx.steps > this.ctx.limits.maxSteps) {
      throw new LimitError(`execution exceeded the limit of ${this.ctx.limits.maxSteps} steps`);
    }
  }

  write(s: string): void {
    const ctx = this.ctx;
    if (ctx.out.length + s.length > ctx.limits.maxOutputBytes) {
      throw new LimitError(`output exceeded the limit of ${ctx.limits.maxOutputBytes} bytes`);
    }
    ctx.out += s;
  }

  // ---- variables ----

  varValue(name: string): GoValue {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      const v = this.vars[i];
      if (v?.name === name) return v.value;
    }
    this.errorf(`undefined variable: ${name}`);
  }

  setVar(name: string, value: GoValue): void {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      const v = this.vars[i];
      if (v?.name === name) {
        v.value = value;
        return;
      }
    }
    this.errorf(`undefined variable: ${name}`);
  }

  setTopVar(n: number, value: GoValue): void {
    const v = this.vars[this.vars.length - n];
    if (v !== undefined) v.value = value;
  }

  // ---- walking ----

  walk(dot: GoValue, node: Node): void {
    this.step();
    this.at(node);
    switch (node.type) {
      case "action": {
        const val = this.evalPipeline(dot, node.pipe);
        if (node.pipe.decl.length === 0) this.printValue(node, val);
        return;
      }
      case "break":
        throw BREAK;
      case "continue":
        throw CONTINUE;
      case "comment":
        return;
      case "if":
      case "with":
        this.walkIfOrWith(dot, node);
        return;
      case "list":
        this.walkList(dot, node);
        return;
      case "range":
        this.walkRange(dot, node);
        return;
      case "template":
        this.walkTemplate(dot, node);
        return;
      case "text":
        this.write(node.text);
        return;
      default:
        this.errorf(`unknown node: ${nodeString(node)}`);
    }
  }

  walkList(dot: GoValue, list: ListNode): void {
    for (const n of list.nodes) this.walk(dot, n);
  }

  printValue(n: Node, v: GoValue): void {
    this.at(n);
    this.write(v === undefined || v === null ? "<no value>" : formatValue(v));
  }

  walkIfOrWith(dot: GoValue, node: BranchNode): void {
    const mark = this.vars.length;
    try {
      const val = this.evalPipeline(dot, node.pipe);
      if (isTrue(val)) {
        this.walkList(node.type === "with" ? val : dot, node.list);
      } else if (node.elseList !== null) {
        this.walkList(dot, node.elseList);
      }
    } finally {
      this.vars.length = mark;
    }
  }

  walkRange(dot: GoValue, r: BranchNode): void {
    this.at(r);
    const outer = this.vars.length;
    try {
      const val = this.evalPipeline(dot, r.pipe);
      const mark = this.vars.length;
      const ran = this.rangeOver(r, val, mark);
      if (!ran && r.elseList !== null) this.walkList(dot, r.elseList);
    } catch (e) {
      if (e !== BREAK) throw e;
    } finally {
      this.vars.length = outer;
    }
  }

  /** Iterates; returns false when there was nothing to iterate over. */
  rangeOver(r: BranchNode, val: GoValue, mark: number): boolean {
    if (val instanceof GoSlice) {
      const items = val.items;
      for (let i = 0; i < items.length; i++) this.oneIteration(r, i, items[i] ?? null, mark);
      return items.length > 0;
    }
    if (val instanceof GoMap) {
      const keys = sortedKeys(val);
      for (const k of keys) this.oneIteration(r, k, val.m.get(k), mark);
      return keys.length > 0;
    }
    if (val === null || val === undefined) return false;
    if (isIntLike(val)) {
      if (r.pipe.decl.length > 1) {
        this.errorf(`can't use ${formatValue(val)} to iterate over more than one variable`);
      }
      const n = typeof val === "number" ? val : (val as GoNum).v;
      for (let i = 0; i < n; i++)
        this.oneIteration(r, val instanceof GoNum ? new GoNum(val.t, i) : i, i, mark);
      return n > 0;
    }
    this.errorf(`range can't iterate over value of type ${valueTypeName(val)}`);
  }

  oneIteration(r: BranchNode, index: GoValue, elem: GoValue, mark: number): void {
    this.step();
    const decl = r.pipe.decl;
    if (decl.length > 0) {
      if (r.pipe.isAssign) this.setVar(decl[0]?.ident[0] ?? "", decl.length > 1 ? index : elem);
      else this.setTopVar(1, elem);
    }
    if (decl.length > 1) {
      if (r.pipe.isAssign) this.setVar(decl[1]?.ident[0] ?? "", elem);
      else this.setTopVar(2, index);
    }
    try {
      this.walkList(elem, r.list);
    } catch (e) {
      if (e !== CONTINUE) throw e;
    } finally {
      this.vars.length = mark;
    }
  }

  walkTemplate(dot: GoValue, t: TemplateNode): void {
    this.at(t);
    const tree = this.ctx.trees.get(t.name);
    if (tree === undefined) this.errorf(`template "${t.name}" not defined`);
    if (this.ctx.depth >= this.ctx.limits.maxDepth) {
      this.errorf(`exceeded maximum template depth (${this.ctx.limits.maxDepth})`);
    }
    const newDot = this.evalPipeline(dot, t.pipe);
    const sub = new State(this.ctx, t.name, newDot);
    this.ctx.depth++;
    try {
      sub.walk(newDot, tree.root);
    } finally {
      this.ctx.depth--;
    }
  }

  // ---- evaluation ----

  evalPipeline(dot: GoValue, pipe: PipeNode | null): GoValue {
    if (pipe === null) return undefined;
    this.at(pipe);
    let value: Final = MISSING;
    for (const cmd of pipe.cmds) {
      value = this.evalCommand(dot, cmd, value);
    }
    const v = value === MISSING ? undefined : value;
    for (const variable of pipe.decl) {
      const name = variable.ident[0] ?? "";
      if (pipe.isAssign) this.setVar(name, v);
      else this.vars.push({ name, value: v });
    }
    return v;
  }

  notAFunction(args: readonly Node[], final: Final): void {
    const first = args[0];
    if (args.length > 1 || final !== MISSING) {
      this.errorf(
        `can't give argument to non-function ${first === undefined ? "" : nodeString(first)}`,
      );
    }
  }

  evalCommand(dot: GoValue, cmd: CommandNode, final: Final): GoValue {
    this.step();
    const first = cmd.args[0];
    if (first === undefined) this.errorf("empty command");
    switch (first.type) {
      case "field":
        return this.evalFieldNode(dot, first, cmd.args, final);
      case "chain":
        return this.evalChainNode(dot, first, cmd.args, final);
      case "identifier":
        return this.evalFunction(dot, first, cmd, final);
      case "pipe":
        this.notAFunction(cmd.args, final);
        return this.evalPipeline(dot, first);
      case "variable":
        return this.evalVariableNode(dot, first, cmd.args, final);
      default:
        break;
    }
    this.at(first);
    this.notAFunction(cmd.args, final);
    switch (first.type) {
      case "bool":
        return first.val;
      case "dot":
        return dot;
      case "nil":
        this.errorf("nil is not a command");
      // falls through (errorf never returns)
      case "number":
        return this.idealConstant(first);
      case "string":
        return first.text;
      default:
        this.errorf(`can't evaluate command ${JSON.stringify(nodeString(first))}`);
    }
  }

  idealConstant(c: NumberNode): GoValue {
    this.at(c);
    if (c.isComplex) return new GoNum("complex128", c.complex[0], c.complex[1]);
    const hexInt = /^0[xX]/.test(c.text) && !/[pP]/.test(c.text);
    const runeInt = c.text.startsWith("'");
    if (c.isFloat && !hexInt && !runeInt && /[.eEpP]/.test(c.text))
      return new GoNum("float64", c.float);
    if (c.isInt) return c.int;
    this.errorf(`${c.text} overflows int`);
  }

  evalFieldNode(dot: GoValue, field: FieldNode, args: readonly Node[], final: Final): GoValue {
    this.at(field);
    return this.evalFieldChain(dot, { v: dot, iface: false }, field.ident, {
      node: field,
      args,
      final,
    });
  }

  evalChainNode(dot: GoValue, chain: ChainNode, args: readonly Node[], final: Final): GoValue {
    this.at(chain);
    if (chain.node.type === "nil")
      this.errorf(`indirection through explicit nil in ${nodeString(chain)}`);
    const pipe = this.evalArg(dot, null, chain.node);
    return this.evalFieldChain(dot, { v: pipe, iface: false }, chain.field, {
      node: chain,
      args,
      final,
    });
  }

  evalVariableNode(dot: GoValue, v: VariableNode, args: readonly Node[], final: Final): GoValue {
    this.at(v);
    const value = this.varValue(v.ident[0] ?? "");
    if (v.ident.length === 1) {
      this.notAFunction(args, final);
      return value;
    }
    return this.evalFieldChain(dot, { v: value, iface: false }, v.ident.slice(1), {
      node: v,
      args,
      final,
    });
  }

  evalFieldChain(dot: GoValue, receiver: Receiver, ident: readonly string[], tail: Tail): GoValue {
    let r = receiver;
    const n = ident.length;
    for (let i = 0; i < n - 1; i++) {
      const iface = r.v instanceof GoMap && r.v.elem === ANY;
      r = {
        v: this.evalField(dot, r, ident[i] ?? "", { node: tail.node, args: [], final: MISSING }),
        iface,
      };
    }
    return this.evalField(dot, r, ident[n - 1] ?? "", tail);
  }

  evalField(dot: GoValue, receiver: Receiver, fieldName: string, tail: Tail): GoValue {
    const v = receiver.v;
    if (v === undefined || (v === null && !receiver.iface)) {
      this.errorf(`nil data; no entry for key "${fieldName}"`);
    }
    if (v === null) this.errorf(`nil pointer evaluating interface {}.${fieldName}`);
    if (v instanceof GoObject) {
      const method = v.methods[fieldName];
      if (method !== undefined) {
        const def: FuncDef = {
          params: Array.from({ length: method.length }, () => "any" as const),
          fn: method,
        };
        return this.evalCall(dot, def, { ...tail, name: fieldName });
      }
    }
    const hasArgs = tail.args.length > 1 || tail.final !== MISSING;
    if (v instanceof GoMap) {
      if (hasArgs) this.errorf(`${fieldName} is not a method but has arguments`);
      const result = v.m.get(fieldName);
      if (result === undefined && !v.m.has(fieldName))
        this.errorf(`map has no entry for key "${fieldName}"`);
      return result ?? null;
    }
    this.errorf(
      `can't evaluate field ${fieldName} in type ${receiver.iface ? "interface {}" : typeName(v)}`,
    );
  }

  evalFunction(dot: GoValue, node: IdentifierNode, cmd: CommandNode, final: Final): GoValue {
    this.at(node);
    const def = this.ctx.funcs.get(node.ident);
    if (def === undefined) this.errorf(`"${node.ident}" is not a defined function`);
    return this.evalCall(dot, def, {
      node: cmd,
      name: node.ident,
      args: cmd.args,
      final,
      ident: node,
    });
  }

  evalCall(dot: GoValue, def: FuncDef, call: Call): GoValue {
    const args = call.args.slice(1);
    const hasFinal = call.final !== MISSING;
    const numIn = args.length + (hasFinal ? 1 : 0);
    const numFixed = def.params.length;
    if (def.variadic !== undefined) {
      if (numIn < numFixed) {
        this.errorf(
          `wrong number of args for ${call.name}: want at least ${numFixed} got ${args.length}`,
        );
      }
    } else if (numIn !== numFixed) {
      this.errorf(`wrong number of args for ${call.name}: want ${numFixed} got ${numIn}`);
    }
    if (def.special !== undefined) return this.evalAndOr(dot, def.special, args, call.final);
    const argv: GoValue[] = [];
    const fixed = Math.min(numFixed, args.length);
    args
      .slice(0, fixed)
      .forEach((arg, i) => argv.push(this.evalArg(dot, def.params[i] ?? "any", arg)));
    if (def.variadic !== undefined) {
      for (const arg of args.slice(fixed)) argv.push(this.evalArg(dot, def.variadic, arg));
    }
    if (hasFinal) {
      const t =
        def.variadic !== undefined && argv.length >= numFixed
          ? def.variadic
          : (def.params[argv.length] ?? "any");
      argv.push(this.validateType(call.final, t));
    }
    this.step();
    try {
      return def.fn(...argv);
    } catch (e) {
      if (e instanceof ExecFailure || e instanceof LimitError) throw e;
      this.at(call.node);
      this.errorf(`error calling ${call.name}: ${describeError(e)}`);
    }
  }

  evalAndOr(dot: GoValue, which: "and" | "or", args: readonly Node[], final: Final): GoValue {
    let v: GoValue = undefined;
    for (const arg of args) {
      v = this.evalArg(dot, "value", arg);
      if (isTrue(v) === (which === "or")) return v;
    }
    if (final !== MISSING) v = final;
    return v;
  }

  evalArg(dot: GoValue, typ: ParamType | null, n: Node): GoValue {
    this.at(n);
    switch (n.type) {
      case "dot":
        return this.validateType(dot, typ);
      case "nil":
        if (typ === "value") return undefined;
        if (typ === null || canBeNil(typ)) return null;
        this.errorf(`cannot assign nil to ${GO_TYPE[typ]}`);
      // falls through (errorf never returns)
      case "field":
        return this.validateType(this.evalFieldNode(dot, n, [n], MISSING), typ);
      case "variable":
        return this.validateType(this.evalVariableNode(dot, n, [], MISSING), typ);
      case "pipe":
        return this.validateType(this.evalPipeline(dot, n), typ);
      case "identifier": {
        const def = this.ctx.funcs.get(n.ident);
        if (def === undefined) this.errorf(`"${n.ident}" is not a defined function`);
        return this.validateType(
          this.evalCall(dot, def, { node: n, name: n.ident, args: [n], final: MISSING }),
          typ,
        );
      }
      case "chain":
        return this.validateType(this.evalChainNode(dot, n, [], MISSING), typ);
      default:
        return this.evalLiteral(typ, n);
    }
  }

  evalLiteral(typ: ParamType | null, n: Node): GoValue {
    switch (typ) {
      case "bool":
        if (n.type === "bool") return n.val;
        this.errorf(`expected bool; found ${nodeString(n)}`);
      // falls through (errorf never returns)
      case "string":
        if (n.type === "string") return n.text;
        this.errorf(`expected string; found ${nodeString(n)}`);
      // falls through
      case "int":
      case "int64":
        if (n.type === "number" && n.isInt)
          return typ === "int" ? n.int : new GoNum("int64", n.int);
        this.errorf(`expected integer; found ${nodeString(n)}`);
      // falls through
      case "uint32":
        if (n.type === "number" && n.isUint) return new GoNum("uint32", n.int >>> 0);
        this.errorf(`expected unsigned integer; found ${nodeString(n)}`);
      // falls through
      case "float64":
        if (n.type === "number" && n.isFloat) return new GoNum("float64", n.float);
        this.errorf(`expected float; found ${nodeString(n)}`);
      // falls through
      case "any":
      case "value":
      case null:
        return this.emptyInterface(n);
      default:
        this.errorf(`can't handle ${nodeString(n)} for arg of type ${GO_TYPE[typ]}`);
    }
  }

  emptyInterface(n: Node): GoValue {
    switch (n.type) {
      case "bool":
        return n.val;
      case "number":
        return this.idealConstant(n);
      case "string":
        return n.text;
      default:
        this.errorf(`can't handle assignment of ${n.type} to empty interface argument`);
    }
  }

  validateType(value: GoValue, typ: ParamType | null): GoValue {
    if (typ === null || typ === "value") return value;
    if (value === undefined) {
      if (canBeNil(typ)) return null;
      this.errorf(`invalid value; expected ${GO_TYPE[typ]}`);
    }
    if (typ === "any") return value;
    if (value === null && canBeNil(typ)) return null;
    if (assignable(value, typ)) return value;
    this.errorf(`wrong type for value; expected ${GO_TYPE[typ]}; got ${typeName(value)}`);
  }
}

interface Receiver {
  readonly v: GoValue;
  /** the value came out of an interface-typed container (map[string]any, []any) */
  readonly iface: boolean;
}

interface Tail {
  readonly node: Node;
  readonly args: readonly Node[];
  readonly final: Final;
}

interface Call {
  readonly node: Node;
  readonly name: string;
  readonly args: readonly Node[];
  readonly final: Final;
  readonly ident?: IdentifierNode;
}

function canBeNil(t: ParamType): boolean {
  return t === "any" || t === "map" || t === "[]string" || t === "[]any";
}

function assignable(v: GoValue, t: ParamType): boolean {
  switch (t) {
    case "string":
      return typeof v === "string";
    case "int":
      return typeof v === "number";
    case "bool":
      return typeof v === "boolean";
    case "int64":
    case "uint32":
    case "float64":
      return v instanceof GoNum && v.t === t;
    case "map":
      return v instanceof GoMap && v.elem === ANY;
    case "[]string":
      return v instanceof GoSlice && v.elem === "string";
    case "[]any":
      return v instanceof GoSlice && v.elem === ANY;
    case "sprig.certificate":
      return v instanceof GoObject && v.typeName === t;
    case "time":
      return v instanceof GoObject && v.typeName === "time.Time";
    default:
      return true;
  }
}

function describeError(e: unknown): string {
  if (e instanceof FuncError) return e.message;
  if (e instanceof RangeError)
    throw new LimitError(`a function exceeded a size limit (${e.message})`);
  return `internal error in function (${e instanceof Error ? e.name : "unknown"})`;
}

export interface ExecOptions {
  readonly trees: ReadonlyMap<string, Tree>;
  readonly funcs: FuncMap;
  readonly limits: Limits;
  readonly name: string;
}

/** Executes the named tree with dot as data; returns the output byte string. */
export function execute(opts: ExecOptions, dot: GoValue): string {
  const ctx: Ctx = {
    trees: opts.trees,
    funcs: opts.funcs,
    limits: opts.limits,
    out: "",
    steps: 0,
    depth: 0,
  };
  const tree = opts.trees.get(opts.name);
  const st = new State(ctx, opts.name, dot);
  try {
    if (tree === undefined) st.errorf(`"${opts.name}" is an incomplete or empty template`);
    else st.walk(dot, tree.root);
  } catch (e) {
    if (e instanceof ExecFailure) throw new TemplateError("exec", e.message);
    if (e instanceof LimitError)
      throw new TemplateError("limit", `template: ${opts.name}: ${e.message}`);
    if (e instanceof RangeError) {
      throw new TemplateError(
        "limit",
        `template: ${opts.name}: execution exceeded a runtime limit (${e.message})`,
      );
    }
    throw e;
  }
  return ctx.out;
}
