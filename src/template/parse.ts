// Parser for Go text/template syntax: builds the trees of a template set.
import { lex } from "./lex.ts";
import type { Item, ItemType } from "./lex.ts";
import { decodeRune, fromBytes, toBytes } from "./value.ts";

export interface Source {
  readonly parseName: string;
  readonly text: string;
}

interface Base {
  readonly pos: number;
  readonly src: Source;
}

export interface ListNode extends Base {
  readonly type: "list";
  readonly nodes: Node[];
}
export interface TextNode extends Base {
  readonly type: "text";
  readonly text: string;
}
export interface CommentNode extends Base {
  readonly type: "comment";
}
export interface ActionNode extends Base {
  readonly type: "action";
  readonly pipe: PipeNode;
}
export interface PipeNode extends Base {
  readonly type: "pipe";
  isAssign: boolean;
  readonly decl: VariableNode[];
  readonly cmds: CommandNode[];
}
export interface CommandNode extends Base {
  readonly type: "command";
  readonly args: Node[];
}
export interface IdentifierNode extends Base {
  readonly type: "identifier";
  readonly ident: string;
}
export interface VariableNode extends Base {
  readonly type: "variable";
  readonly ident: string[];
}
export interface DotNode extends Base {
  readonly type: "dot";
}
export interface NilNode extends Base {
  readonly type: "nil";
}
export interface BoolNode extends Base {
  readonly type: "bool";
  readonly val: boolean;
}
export interface NumberNode extends Base {
  readonly type: "number";
  readonly text: string;
  readonly isInt: boolean;
  readonly isUint: boolean;
  readonly isFloat: boolean;
  readonly isComplex: boolean;
  readonly int: number;
  readonly float: number;
  /** The complex128 value when isComplex: [real, imaginary]. */
  readonly complex: readonly [number, number];
}
export interface StringNode extends Base {
  readonly type: "string";
  readonly quoted: string;
  readonly text: string;
}
export interface FieldNode extends Base {
  readonly type: "field";
  readonly ident: string[];
}
export interface ChainNode extends Base {
  readonly type: "chain";
  readonly node: Node;
  readonly field: string[];
}
export interface BranchNode extends Base {
  readonly type: "if" | "range" | "with";
  readonly pipe: PipeNode;
  readonly list: ListNode;
  readonly elseList: ListNode | null;
}
export interface TemplateNode extends Base {
  readonly type: "template";
  readonly name: string;
  readonly pipe: PipeNode | null;
}
export interface BreakNode extends Base {
  readonly type: "break" | "continue";
}
interface EndOnly extends Base {
  readonly type: "end";
}
interface ElseOnly extends Base {
  readonly type: "else";
}
type EndNode = EndOnly | ElseOnly;

export type Node =
  | ListNode
  | TextNode
  | CommentNode
  | ActionNode
  | PipeNode
  | CommandNode
  | IdentifierNode
  | VariableNode
  | DotNode
  | NilNode
  | BoolNode
  | NumberNode
  | StringNode
  | FieldNode
  | ChainNode
  | BranchNode
  | TemplateNode
  | BreakNode;

type AnyNode = Node | EndNode;

export class ParseError extends Error {}

export interface Tree {
  readonly name: string;
  readonly root: ListNode;
}

// ---- String() of nodes, as Go prints them in error contexts ----

export function nodeString(n: Node): string {
  switch (n.type) {
    case "list":
      return n.nodes.map(nodeString).join("");
    case "text":
      return goQuoteLite(n.text);
    case "comment":
      return "{{/* */}}";
    case "action":
      return `{{${nodeString(n.pipe)}}}`;
    case "pipe":
      return pipeString(n);
    case "command":
      return n.args
        .map((a) => (a.type === "pipe" ? `(${nodeString(a)})` : nodeString(a)))
        .join(" ");
    case "identifier":
      return n.ident;
    case "variable":
      return n.ident.join(".");
    case "dot":
      return ".";
    case "nil":
      return "nil";
    case "bool":
      return n.val ? "true" : "false";
    case "number":
      return n.text;
    case "string":
      return n.quoted;
    case "field":
      return `.${n.ident.join(".")}`;
    case "chain":
      return chainString(n);
    case "if":
    case "range":
    case "with":
      return branchString(n);
    case "template":
      return `{{template ${JSON.stringify(n.name)}${n.pipe === null ? "" : ` ${nodeString(n.pipe)}`}}}`;
    case "break":
    case "continue":
      return `{{${n.type}}}`;
  }
}

function goQuoteLite(s: string): string {
  return JSON.stringify(fromBytes(s));
}

function pipeString(n: PipeNode): string {
  let s = "";
  if (n.decl.length > 0)
    s = `${n.decl.map((d) => d.ident.join(".")).join(", ")} ${n.isAssign ? "=" : ":="} `;
  return s + n.cmds.map(nodeString).join(" | ");
}

function chainString(n: ChainNode): string {
  const head = n.node.type === "pipe" ? `(${nodeString(n.node)})` : nodeString(n.node);
  return head + n.field.map((f) => `.${f}`).join("");
}

function branchString(n: BranchNode): string {
  const els = n.elseList === null ? "" : `{{else}}${nodeString(n.elseList)}`;
  return `{{${n.type} ${nodeString(n.pipe)}}}${nodeString(n.list)}${els}{{end}}`;
}

function itemString(i: Item): string {
  if (i.t === "eof") return "EOF";
  if (i.t === "error") return i.val;
  if (KEYWORD_TYPES.has(i.t)) return `<${i.val}>`;
  const s = fromBytes(i.val);
  const chars = Array.from(s);
  if (chars.length > 10) return `${JSON.stringify(chars.slice(0, 10).join(""))}...`;
  return JSON.stringify(s);
}

const KEYWORD_TYPES: ReadonlySet<ItemType> = new Set<ItemType>([
  "dot",
  "block",
  "break",
  "continue",
  "define",
  "else",
  "end",
  "if",
  "nil",
  "range",
  "template",
  "with",
]);

function endString(n: AnyNode): string {
  if (n.type === "end") return "{{end}}";
  if (n.type === "else") return "{{else}}";
  return nodeString(n);
}

// ---- Go literal decoding ----

const SIMPLE_ESC: Readonly<Record<string, string>> = {
  a: "\x07",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
  v: "\v",
  "\\": "\\",
  "'": "'",
  '"': '"',
};

/** strconv.UnquoteChar on a byte string: [value bytes, next index]. */
function unquoteChar(s: string, i: number, quote: string): [string, number, boolean] {
  const c = s[i];
  if (c === quote && (quote === "'" || quote === '"')) throw new ParseError("invalid syntax");
  if (c !== "\\") {
    const [, size] = decodeRune(s, i);
    return [s.slice(i, i + size), i + size, size > 1];
  }
  const e = s[i + 1];
  if (e === undefined) throw new ParseError("invalid syntax");
  const simple = SIMPLE_ESC[e];
  if (simple !== undefined) {
    if ((e === "'" || e === '"') && e !== quote) throw new ParseError("invalid syntax");
    return [simple, i + 2, false];
  }
  let n: number;
  let size: number;
  switch (e) {
    case "x":
      n = 2;
      size = 16;
      break;
    case "u":
      n = 4;
      size = 16;
      break;
    case "U":
      n = 8;
      size = 16;
      break;
    default:
      if (e >= "0" && e <= "7") {
        const oct = s.slice(i + 1, i + 4);
        if (!/^[0-7]{3}$/.test(oct)) throw new ParseError("invalid syntax");
        const v = parseInt(oct, 8);
        if (v > 255) throw new ParseError("invalid syntax");
        return [String.fromCharCode(v), i + 4, false];
      }
      throw new ParseError("invalid syntax");
  }
  const digits = s.slice(i + 2, i + 2 + n);
  if (digits.length !== n || !/^[0-9a-fA-F]+$/.test(digits)) throw new ParseError("invalid syntax");
  const v = parseInt(digits, size);
  if (e === "x") return [String.fromCharCode(v), i + 2 + n, false];
  if (v > 0x10ffff || (v >= 0xd800 && v < 0xe000)) throw new ParseError("invalid syntax");
  return [toBytes(String.fromCodePoint(v)), i + 2 + n, true];
}

/** strconv.Unquote for "..." and `...` (byte strings). */
export function unquote(q: string): string {
  if (q.startsWith("`")) {
    if (q.length < 2 || !q.endsWith("`")) throw new ParseError("invalid syntax");
    return q.slice(1, -1).replaceAll("\r", "");
  }
  if (q.length < 2 || !q.startsWith('"') || !q.endsWith('"'))
    throw new ParseError("invalid syntax");
  const body = q.slice(1, -1);
  if (!body.includes("\\")) return body;
  let out = "";
  let i = 0;
  while (i < body.length) {
    const [v, next] = unquoteChar(body, i, '"');
    out += v;
    i = next;
  }
  return out;
}

function parseGoInt(text: string): bigint | undefined {
  let s = text;
  let neg = false;
  if (s.startsWith("+") || s.startsWith("-")) {
    neg = s.startsWith("-");
    s = s.slice(1);
  }
  if (s.includes("_")) {
    if (!/^(0[xXoObB]_?)?[0-9a-fA-F]+(_[0-9a-fA-F]+)*$/.test(s) && !/^0_?[0-7]+(_[0-7]+)*$/.test(s))
      return undefined;
    s = s.replaceAll("_", "");
  }
  let v: bigint;
  if (/^0[xX][0-9a-fA-F]+$/.test(s)) v = BigInt(s);
  else if (/^0[oO][0-7]+$/.test(s)) v = BigInt(`0o${s.slice(2)}`);
  else if (/^0[bB][01]+$/.test(s)) v = BigInt(s);
  else if (/^0[0-7]+$/.test(s)) v = BigInt(`0o${s.slice(1)}`);
  else if (/^[0-9]+$/.test(s) && (s === "0" || !s.startsWith("0"))) v = BigInt(s);
  else return undefined;
  return neg ? -v : v;
}

function parseGoFloat(text: string): number | undefined {
  let s = text.replaceAll("_", "");
  if (text.includes("_") && !/^[+-]?0[xX]([0-9a-fA-F]+_?)*/.test(text)) return undefined;
  let neg = false;
  if (s.startsWith("+") || s.startsWith("-")) {
    neg = s.startsWith("-");
    s = s.slice(1);
  }
  let v: number;
  if (/^0[xX]/.test(s)) {
    const m = /^0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?[pP]([+-]?\d+)$/.exec(s);
    if (m === null) return undefined;
    const ip = m[1] ?? "";
    const fp = m[2] ?? "";
    if (ip === "" && fp === "") return undefined;
    const mant = parseInt(ip + fp || "0", 16);
    v = mant * 2 ** (Number(m[3]) - 4 * fp.length);
  } else {
    if (!/^(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) return undefined;
    v = Number(s);
  }
  return neg ? -v : v;
}

/** "2i" (imaginary) or "1+2i" (the lexer's complex pair, read as fmt.Sscan does). */
function parseComplex(text: string): [number, number] | undefined {
  const body = text.slice(0, -1);
  // The imaginary part starts at the last sign that is not an exponent's.
  const exponent = /^[+-]?0[xX]/.test(body) ? "pP" : "eEpP";
  let k = body.length - 1;
  while (k > 0 && !("+-".includes(body[k] ?? "") && !exponent.includes(body[k - 1] ?? ""))) k--;
  if (k === 0) {
    const im = parseGoFloat(body);
    return im === undefined ? undefined : [0, im];
  }
  // fmt.Sscan accepts digit separators in both parts.
  const re = parseGoFloat(body.slice(0, k).replaceAll("_", ""));
  const im = parseGoFloat(body.slice(k).replaceAll("_", ""));
  return re === undefined || im === undefined ? undefined : [re, im];
}

/** NumberNode.simplifyComplex: no imaginary part makes the constant a float (and maybe an int). */
function simplifyComplex(n: NumberNode): NumberNode {
  const [re, im] = n.complex;
  if (im !== 0) return n;
  const isInt = Number.isInteger(re) && Math.abs(re) < 2 ** 63;
  return { ...n, isFloat: true, float: re, isInt, isUint: isInt && re >= 0, int: isInt ? re : 0 };
}

const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);
const UINT64_MAX = 2n ** 64n - 1n;

function makeNumber(base: Base, text: string, t: ItemType): NumberNode {
  const num = {
    type: "number" as const,
    pos: base.pos,
    src: base.src,
    text,
    isInt: false,
    isUint: false,
    isFloat: false,
    isComplex: false,
    int: 0,
    float: 0,
    complex: [0, 0] as const,
  };
  if (t === "charConstant") {
    const [v, next, multi] = unquoteChar(text, 1, "'");
    if (text.slice(next) !== "'") throw new ParseError(`malformed character constant: ${text}`);
    const r = multi ? (fromBytes(v).codePointAt(0) ?? 0) : v.charCodeAt(0);
    return { ...num, isInt: true, isUint: true, isFloat: true, int: r, float: r };
  }
  if (text.endsWith("i")) {
    const c = parseComplex(text);
    if (c === undefined) throw new ParseError(`illegal number syntax: ${JSON.stringify(text)}`);
    return simplifyComplex({ ...num, isComplex: true, complex: c });
  }
  const b = parseGoInt(text);
  if (b !== undefined && b <= UINT64_MAX && b >= INT64_MIN) {
    const isInt = b <= INT64_MAX;
    const isUint = b >= 0n;
    return { ...num, isInt, isUint, isFloat: true, int: Number(b), float: Number(b) };
  }
  const f = parseGoFloat(text);
  if (f !== undefined) {
    if (!/[.eEpP]/.test(text)) throw new ParseError(`integer overflow: ${JSON.stringify(text)}`);
    const isInt = Number.isInteger(f) && Math.abs(f) < 2 ** 63;
    return { ...num, isFloat: true, float: f, isInt, isUint: isInt && f >= 0, int: isInt ? f : 0 };
  }
  throw new ParseError(`illegal number syntax: ${JSON.stringify(text)}`);
}

// ---- the parser ----

export interface ParseOptions {
  readonly name: string;
  readonly leftDelim: string;
  readonly rightDelim: string;
  readonly hasFunction: (name: string) => boolean;
  readonly maxDepth: number;
}

class TreeParser {
  readonly items: Item[];
  readonly src: Source;
  readonly opts: ParseOptions;
  readonly trees: Map<string, Tree>;
  idx = 0;
  name: string;
  vars: string[] = ["$"];
  rangeDepth = 0;
  depth = 0;
  actionLine = 0;
  /** The last token returned or peeked (for error line numbers). */
  current: Item;

  constructor(
    shared: { items: Item[]; src: Source; opts: ParseOptions; trees: Map<string, Tree> },
    name: string,
  ) {
    this.items = shared.items;
    this.src = shared.src;
    this.opts = shared.opts;
    this.trees = shared.trees;
    this.name = name;
    this.current = this.items[0] ?? { t: "eof", pos: 0, val: "", line: 1 };
  }

  errorf(msg: string): never {
    throw new ParseError(`template: ${this.src.parseName}:${this.current.line}: ${msg}`);
  }

  next(): Item {
    const it = this.items[this.idx] ?? this.items[this.items.length - 1];
    if (it === undefined) this.errorf("unexpected EOF");
    this.current = it;
    this.idx++;
    if (it.t === "error") this.lexError(it);
    return it;
  }

  lexError(it: Item): never {
    let extra = "";
    if (this.actionLine !== 0 && this.actionLine !== it.line) {
      extra = ` in action started at ${this.src.parseName}:${this.actionLine}`;
      if (it.val.endsWith(" action")) extra = extra.slice(" in action".length);
    }
    this.errorf(it.val + extra);
  }

  peek(): Item {
    const save = this.idx;
    const it = this.next();
    this.idx = save;
    return it;
  }

  backup(n = 1): void {
    this.idx -= n;
  }

  nextNonSpace(): Item {
    let it = this.next();
    while (it.t === "space") it = this.next();
    return it;
  }

  peekNonSpace(): Item {
    const it = this.nextNonSpace();
    this.idx--;
    return it;
  }

  expect(t: ItemType, context: string): Item {
    const it = this.nextNonSpace();
    if (it.t !== t) this.unexpected(it, context);
    return it;
  }

  unexpected(it: Item, context: string): never {
    if (it.t === "error") {
      this.errorf(it.val);
    }
    this.errorf(`unexpected ${itemString(it)} in ${context}`);
  }

  base(pos: number): Base {
    return { pos, src: this.src };
  }

  add(root: ListNode): void {
    const existing = this.trees.get(this.name);
    if (existing === undefined || isEmptyTree(existing.root)) {
      this.trees.set(this.name, { name: this.name, root });
      return;
    }
    if (!isEmptyTree(root)) this.errorf(`template: multiple definition of template "${this.name}"`);
  }

  parseTop(): void {
    const root: ListNode = { type: "list", nodes: [], ...this.base(this.peek().pos) };
    while (this.peek().t !== "eof") {
      if (this.peek().t === "leftDelim") {
        const save = this.idx;
        this.next();
        if (this.nextNonSpace().t === "define") {
          this.parseDefinition();
          continue;
        }
        this.idx = save;
      }
      const n = this.textOrAction();
      if (n.type === "end" || n.type === "else") this.errorf(`unexpected ${endString(n)}`);
      root.nodes.push(n);
    }
    this.add(root);
  }

  parseDefinition(): void {
    const context = "define clause";
    const nameTok = this.nextNonSpace();
    if (nameTok.t !== "string" && nameTok.t !== "rawString") this.unexpected(nameTok, context);
    const sub = new TreeParser(this, unquote(nameTok.val));
    sub.idx = this.idx;
    sub.expect("rightDelim", context);
    const [root, end] = sub.itemList();
    if (end.type !== "end") sub.errorf(`unexpected ${endString(end)} in ${context}`);
    sub.add(root);
    this.idx = sub.idx;
  }

  itemList(): [ListNode, AnyNode] {
    const list: ListNode = { type: "list", nodes: [], ...this.base(this.peekNonSpace().pos) };
    while (this.peekNonSpace().t !== "eof") {
      const n = this.textOrAction();
      if (n.type === "end" || n.type === "else") return [list, n];
      list.nodes.push(n);
    }
    this.errorf("unexpected EOF");
  }

  textOrAction(): AnyNode {
    const tok = this.nextNonSpace();
    switch (tok.t) {
      case "text":
        return { type: "text", text: tok.val, ...this.base(tok.pos) };
      case "leftDelim": {
        this.actionLine = tok.line;
        try {
          return this.action();
        } finally {
          this.actionLine = 0;
        }
      }
      default:
        this.unexpected(tok, "input");
    }
  }

  action(): AnyNode {
    const tok = this.nextNonSpace();
    switch (tok.t) {
      case "block":
        return this.blockControl();
      case "break":
      case "continue":
        return this.breakControl(tok);
      case "else":
        return this.elseControl();
      case "end":
        return { type: "end", ...this.base(this.expect("rightDelim", "end").pos) };
      case "if":
      case "range":
      case "with":
        return this.branch(tok.t);
      case "template":
        return this.templateControl();
      default:
        break;
    }
    this.backup();
    const pos = this.peek().pos;
    return { type: "action", pipe: this.pipeline("command", "rightDelim"), ...this.base(pos) };
  }

  breakControl(tok: Item): AnyNode {
    const t = this.nextNonSpace();
    if (t.t !== "rightDelim") this.unexpected(t, `{{${tok.t}}}`);
    if (this.rangeDepth === 0) this.errorf(`{{${tok.t}}} outside {{range}}`);
    return { type: tok.t === "break" ? "break" : "continue", ...this.base(tok.pos) };
  }

  elseControl(): AnyNode {
    const p = this.peekNonSpace();
    if (p.t === "if" || p.t === "with") return { type: "else", ...this.base(p.pos) };
    const tok = this.expect("rightDelim", "else");
    return { type: "else", ...this.base(tok.pos) };
  }

  branch(kind: "if" | "range" | "with"): BranchNode {
    const mark = this.vars.length;
    try {
      const pipe = this.pipeline(kind, "rightDelim");
      if (kind === "range") this.rangeDepth++;
      const [list, next] = this.itemList();
      if (kind === "range") this.rangeDepth--;
      let elseList: ListNode | null = null;
      if (next.type === "else") {
        const p = this.peek();
        if ((kind === "if" && p.t === "if") || (kind === "with" && p.t === "with")) {
          this.next();
          elseList = { type: "list", nodes: [this.branch(kind)], ...this.base(next.pos) };
        } else {
          elseList = this.elseItems();
        }
      }
      return { type: kind, pipe, list, elseList, ...this.base(pipe.pos) };
    } finally {
      this.vars.length = mark;
    }
  }

  elseItems(): ListNode {
    const [els, end] = this.itemList();
    if (end.type !== "end") this.errorf(`expected end; found ${endString(end)}`);
    return els;
  }

  templateName(tok: Item, context: string): string {
    if (tok.t === "string" || tok.t === "rawString") {
      try {
        return unquote(tok.val);
      } catch (e) {
        this.errorf((e as Error).message);
      }
    }
    this.unexpected(tok, context);
  }

  templateControl(): TemplateNode {
    const context = "template clause";
    const tok = this.nextNonSpace();
    const name = this.templateName(tok, context);
    let pipe: PipeNode | null = null;
    if (this.nextNonSpace().t !== "rightDelim") {
      this.backup();
      pipe = this.pipeline(context, "rightDelim");
    }
    return { type: "template", name, pipe, ...this.base(tok.pos) };
  }

  blockControl(): TemplateNode {
    const context = "block clause";
    const tok = this.nextNonSpace();
    const name = this.templateName(tok, context);
    const pipe = this.pipeline(context, "rightDelim");
    const sub = new TreeParser(this, name);
    sub.idx = this.idx;
    const [root, end] = sub.itemList();
    if (end.type !== "end") sub.errorf(`unexpected ${endString(end)} in ${context}`);
    sub.add(root);
    this.idx = sub.idx;
    return { type: "template", name, pipe, ...this.base(tok.pos) };
  }

  pipeline(context: string, end: ItemType): PipeNode {
    const first = this.peekNonSpace();
    const pipe: PipeNode = {
      type: "pipe",
      isAssign: false,
      decl: [],
      cmds: [],
      ...this.base(first.pos),
    };
    for (;;) {
      const v = this.peekNonSpace();
      if (v.t !== "variable") break;
      const save = this.idx;
      this.nextNonSpace();
      const nxt = this.peekNonSpace();
      if (nxt.t === "assign" || nxt.t === "declare") {
        pipe.isAssign = nxt.t === "assign";
        this.nextNonSpace();
        pipe.decl.push({ type: "variable", ident: [v.val], ...this.base(v.pos) });
        this.vars.push(v.val);
        break;
      }
      if (nxt.t === "char" && nxt.val === ",") {
        this.nextNonSpace();
        pipe.decl.push({ type: "variable", ident: [v.val], ...this.base(v.pos) });
        this.vars.push(v.val);
        if (this.secondRangeVariable(context, pipe)) continue;
        this.errorf(`too many declarations in ${context}`);
      }
      this.idx = save;
      break;
    }
    for (;;) {
      const tok = this.nextNonSpace();
      if (tok.t === end) {
        this.checkPipeline(pipe, context);
        return pipe;
      }
      if (OPERAND_START.has(tok.t)) {
        this.backup();
        pipe.cmds.push(this.command());
        continue;
      }
      this.unexpected(tok, context);
    }
  }

  /** After "$x,": a range may declare a second variable. */
  secondRangeVariable(context: string, pipe: PipeNode): boolean {
    if (context !== "range" || pipe.decl.length >= 2) return false;
    const p = this.peekNonSpace().t;
    if (p === "variable" || p === "rightDelim" || p === "rightParen") return true;
    this.errorf("range can only initialize variables");
  }

  checkPipeline(pipe: PipeNode, context: string): void {
    if (pipe.cmds.length === 0) this.errorf(`missing value for ${context}`);
    pipe.cmds.slice(1).forEach((c, i) => {
      const t = c.args[0]?.type;
      if (t === "bool" || t === "dot" || t === "nil" || t === "number" || t === "string") {
        this.errorf(`non executable command in pipeline stage ${i + 2}`);
      }
    });
  }

  command(): CommandNode {
    const cmd: CommandNode = { type: "command", args: [], ...this.base(this.peekNonSpace().pos) };
    for (;;) {
      this.peekNonSpace();
      const operand = this.operand();
      if (operand !== null) cmd.args.push(operand);
      const tok = this.next();
      if (tok.t === "space") continue;
      if (tok.t === "rightDelim" || tok.t === "rightParen") this.backup();
      else if (tok.t !== "pipe") this.unexpected(tok, "operand");
      break;
    }
    if (cmd.args.length === 0) this.errorf("empty command");
    return cmd;
  }

  operand(): Node | null {
    const node = this.term();
    if (node === null) return null;
    if (this.peek().t !== "field") return node;
    const fields: string[] = [];
    const pos = this.peek().pos;
    while (this.peek().t === "field") fields.push(this.next().val.slice(1));
    switch (node.type) {
      case "field":
        return { type: "field", ident: [...node.ident, ...fields], ...this.base(pos) };
      case "variable":
        return { type: "variable", ident: [...node.ident, ...fields], ...this.base(pos) };
      case "bool":
      case "string":
      case "number":
      case "nil":
      case "dot":
        this.errorf(`unexpected . after term ${JSON.stringify(nodeString(node))}`);
      // falls through (errorf never returns)
      default:
        return { type: "chain", node, field: fields, ...this.base(pos) };
    }
  }

  term(): Node | null {
    const tok = this.nextNonSpace();
    const b = this.base(tok.pos);
    switch (tok.t) {
      case "identifier":
        if (!this.opts.hasFunction(tok.val))
          this.errorf(`function "${fromBytes(tok.val)}" not defined`);
        return { type: "identifier", ident: tok.val, ...b };
      case "dot":
        return { type: "dot", ...b };
      case "nil":
        return { type: "nil", ...b };
      case "variable":
        return this.useVar(tok);
      case "field":
        return { type: "field", ident: [tok.val.slice(1)], ...b };
      case "bool":
        return { type: "bool", val: tok.val === "true", ...b };
      case "charConstant":
      case "number":
        try {
          return makeNumber(b, tok.val, tok.t);
        } catch (e) {
          this.errorf((e as Error).message);
        }
      // falls through (errorf never returns)
      case "leftParen":
        return this.parenPipeline();
      case "string":
      case "rawString":
        return this.stringNode(tok, b);
      default:
        this.backup();
        return null;
    }
  }

  parenPipeline(): PipeNode {
    this.depth++;
    if (this.depth >= this.opts.maxDepth) this.errorf(`max expression depth exceeded`);
    const p = this.pipeline("parenthesized pipeline", "rightParen");
    this.depth--;
    return p;
  }

  stringNode(tok: Item, b: Base): StringNode {
    try {
      return { type: "string", quoted: tok.val, text: unquote(tok.val), ...b };
    } catch (e) {
      this.errorf((e as Error).message);
    }
  }

  useVar(tok: Item): VariableNode {
    const ident = tok.val.split(".");
    const head = ident[0] ?? "";
    if (!this.vars.includes(head)) this.errorf(`undefined variable "${fromBytes(head)}"`);
    return { type: "variable", ident, ...this.base(tok.pos) };
  }
}

const OPERAND_START: ReadonlySet<ItemType> = new Set<ItemType>([
  "bool",
  "charConstant",
  "dot",
  "field",
  "identifier",
  "number",
  "nil",
  "rawString",
  "string",
  "variable",
  "leftParen",
]);

export function isEmptyTree(n: Node): boolean {
  switch (n.type) {
    case "list":
      return n.nodes.every(isEmptyTree);
    case "text":
      return n.text.trim() === "";
    case "comment":
      return true;
    default:
      return false;
  }
}

/** Parses source (a byte string) into its named trees. */
export function parse(source: string, opts: ParseOptions): Map<string, Tree> {
  const items = lex(source, opts.leftDelim, opts.rightDelim);
  const trees = new Map<string, Tree>();
  const src: Source = { parseName: opts.name, text: source };
  const p = new TreeParser({ items, src, opts, trees }, opts.name);
  p.parseTop();
  return trees;
}
