// sprig snakecase/kebabcase/camelcase (huandu/xstrings v1.5 semantics).
import { mapUnicode } from "../value.ts";
import { fn } from "./conv.ts";
import { register } from "./index.ts";

type WordType = "alpha" | "number" | "connector" | "punct" | "invalid";

interface Word {
  t: WordType;
  w: string;
}

const isConnector = (c: string): boolean => c === "_" || c === "-" || /^\s$/u.test(c);
const isUpper = (c: string | undefined): boolean => c !== undefined && /^\p{Lu}$/u.test(c);
const isLower = (c: string | undefined): boolean => c !== undefined && /^\p{Ll}$/u.test(c);
const isLetter = (c: string | undefined): boolean => c !== undefined && /^\p{L}$/u.test(c);
const isDigit = (c: string | undefined): boolean => c !== undefined && /^\p{Nd}$/u.test(c);

function runOf(cs: readonly string[], i: number, pred: (c: string | undefined) => boolean): number {
  let j = i;
  while (j < cs.length && pred(cs[j])) j++;
  return j;
}

function letterWordEnd(cs: readonly string[], i: number): number {
  if (!isUpper(cs[i])) return runOf(cs, i + 1, (c) => isLetter(c) && !isUpper(c));
  if (isLower(cs[i + 1])) return runOf(cs, i + 1, (c) => isLetter(c) && !isUpper(c));
  const j = runOf(cs, i, isUpper);
  return j < cs.length && isLower(cs[j]) && j - 1 > i ? j - 1 : j;
}

function words(s: string): Word[] {
  const cs = Array.from(s);
  const out: Word[] = [];
  let i = 0;
  while (i < cs.length) {
    const c = cs[i] ?? "";
    let j: number;
    let t: WordType;
    if (isConnector(c)) [j, t] = [i + 1, "connector"];
    else if (isDigit(c)) [j, t] = [runOf(cs, i, isDigit), "number"];
    else if (isLetter(c)) [j, t] = [letterWordEnd(cs, i), "alpha"];
    else [j, t] = [i + 1, "punct"];
    out.push({ t, w: cs.slice(i, j).join("") });
    i = j;
  }
  return out;
}

class Emitter {
  readonly ws: Word[];
  readonly sep: string;
  i = 0;
  out = "";
  constructor(ws: Word[], sep: string) {
    this.ws = ws;
    this.sep = sep;
  }
  next(): Word {
    return this.ws[this.i++] ?? { t: "invalid", w: "" };
  }
  get more(): boolean {
    return this.i < this.ws.length;
  }
  emit(w: Word): void {
    this.out += w.t === "connector" ? this.sep : w.w.toLowerCase();
  }
  /** Emits alphabet and number words while they follow; returns the first other word. */
  chain(w: Word): Word {
    let cur = w;
    while (cur.t === "alpha" || cur.t === "number") {
      this.emit(cur);
      cur = this.next();
    }
    return cur;
  }
  sepUnless(w: Word): void {
    if (w.t !== "invalid" && w.t !== "punct" && w.t !== "connector") this.out += this.sep;
  }
}

function afterAlpha(e: Emitter, w: Word): Word {
  if (w.t !== "number") {
    e.sepUnless(w);
    return w;
  }
  if (!e.more) return w;
  const num = w;
  const nxt = e.next();
  if (nxt.t === "alpha" && isUpper(nxt.w[0])) {
    e.emit(num);
    e.out += e.sep;
    return nxt;
  }
  e.out += e.sep;
  e.emit(num);
  const rest = e.chain(nxt);
  e.sepUnless(rest);
  return rest;
}

function delimited(s: string, sep: string): string {
  const e = new Emitter(words(s), sep);
  let w = e.next();
  while (e.more) {
    if (w.t !== "connector") e.emit(w);
    const prev = w;
    w = e.next();
    if (prev.t === "number") {
      w = e.chain(w);
      e.sepUnless(w);
    } else if (prev.t === "connector") e.emit(prev);
    else if (prev.t === "alpha") w = afterAlpha(e, w);
  }
  e.emit(w);
  return e.out;
}

/** One character of a camel-cased word: upper after a connector, else lowered after an upper. */
function camelChar(cs: readonly string[], i: number, capNext: boolean): string {
  const c = cs[i] ?? "";
  if (capNext) return c.toUpperCase();
  return isUpper(cs[i - 1]) ? c.toLowerCase() : c;
}

function camel(s: string): string {
  const cs = Array.from(s);
  let i = 0;
  let out = "";
  while (i < cs.length && isConnector(cs[i] ?? "")) out += cs[i++] ?? "";
  let capNext = true;
  for (; i < cs.length; i++) {
    const c = cs[i] ?? "";
    if (!isConnector(c)) {
      out += camelChar(cs, i, capNext);
      capNext = false;
      continue;
    }
    const n = cs[i + 1];
    if (n === undefined || isConnector(n)) out += c;
    capNext = true;
  }
  return out;
}

register({
  snakecase: fn(["string"], (s) => mapUnicode(s as string, (u) => delimited(u, "_"))),
  kebabcase: fn(["string"], (s) => mapUnicode(s as string, (u) => delimited(u, "-"))),
  camelcase: fn(["string"], (s) => mapUnicode(s as string, camel)),
});
