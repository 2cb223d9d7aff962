// Lexer for Go text/template syntax, over a byte string (see value.ts).

export type ItemType =
  | "error"
  | "bool"
  | "char"
  | "charConstant"
  | "assign"
  | "declare"
  | "eof"
  | "field"
  | "identifier"
  | "leftDelim"
  | "leftParen"
  | "number"
  | "pipe"
  | "rawString"
  | "rightDelim"
  | "rightParen"
  | "space"
  | "string"
  | "text"
  | "variable"
  | "block"
  | "break"
  | "continue"
  | "dot"
  | "define"
  | "else"
  | "end"
  | "if"
  | "nil"
  | "range"
  | "template"
  | "with";

export interface Item {
  readonly t: ItemType;
  readonly pos: number;
  readonly val: string;
  readonly line: number;
}

const KEYWORDS: ReadonlyMap<string, ItemType> = new Map<string, ItemType>([
  [".", "dot"],
  ["block", "block"],
  ["break", "break"],
  ["continue", "continue"],
  ["define", "define"],
  ["else", "else"],
  ["end", "end"],
  ["if", "if"],
  ["range", "range"],
  ["nil", "nil"],
  ["template", "template"],
  ["with", "with"],
]);

function isSpace(c: string | undefined): boolean {
  return c === " " || c === "\t" || c === "\r" || c === "\n";
}

function isAlphaNumeric(c: string | undefined): boolean {
  if (c === undefined) return false;
  const code = c.charCodeAt(0);
  if (c === "_" || (code >= 48 && code <= 57)) return true;
  if ((code >= 65 && code <= 90) || (code >= 97 && code <= 122)) return true;
  // Non-ASCII bytes: letters in UTF-8 are accepted as part of identifiers.
  return code >= 0x80;
}

const TRIM = "-";

type StateFn = (l: Lexer) => StateFn | null;

class Lexer {
  readonly input: string;
  readonly left: string;
  readonly right: string;
  readonly items: Item[] = [];
  pos = 0;
  start = 0;
  line = 1;
  startLine = 1;
  parenDepth = 0;
  insideAction = false;

  constructor(input: string, left: string, right: string) {
    this.input = input;
    this.left = left;
    this.right = right;
  }

  emit(t: ItemType): void {
    this.items.push({
      t,
      pos: this.start,
      val: this.input.slice(this.start, this.pos),
      line: this.startLine,
    });
    this.start = this.pos;
    this.startLine = this.line;
  }

  ignore(): void {
    this.line += countNewlines(this.input, this.start, this.pos);
    this.start = this.pos;
    this.startLine = this.line;
  }

  next(): string | undefined {
    if (this.pos >= this.input.length) {
      this.pos = this.input.length + 1;
      return undefined;
    }
    const c = this.input[this.pos];
    this.pos++;
    if (c === "\n") this.line++;
    return c;
  }

  backup(): void {
    if (this.pos > this.input.length) {
      this.pos = this.input.length;
      return;
    }
    if (this.pos > 0) {
      this.pos--;
      if (this.input[this.pos] === "\n") this.line--;
    }
  }

  peek(): string | undefined {
    return this.input[this.pos];
  }

  accept(valid: string): boolean {
    const c = this.peek();
    if (c !== undefined && valid.includes(c)) {
      this.next();
      return true;
    }
    return false;
  }

  acceptRun(valid: string): void {
    while (this.accept(valid));
  }

  errorf(msg: string): null {
    this.items.push({ t: "error", pos: this.start, val: msg, line: this.startLine });
    return null;
  }

  atRightDelim(): [boolean, boolean] {
    const rest = this.pos;
    if (hasRightTrimMarker(this.input, rest) && this.input.startsWith(this.right, rest + 2)) {
      return [true, true];
    }
    if (this.input.startsWith(this.right, rest)) return [true, false];
    return [false, false];
  }

  atTerminator(): boolean {
    const c = this.peek();
    if (c === undefined || isSpace(c)) return true;
    if (".,|:)(".includes(c)) return true;
    return this.input.startsWith(this.right, this.pos);
  }
}

function countNewlines(s: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to && i < s.length; i++) if (s.charCodeAt(i) === 10) n++;
  return n;
}

function hasLeftTrimMarker(s: string, i: number): boolean {
  return s[i] === TRIM && isSpace(s[i + 1]);
}

function hasRightTrimMarker(s: string, i: number): boolean {
  return isSpace(s[i]) && s[i + 1] === TRIM;
}

function rightTrimLength(s: string): number {
  let n = s.length;
  while (n > 0 && isSpace(s[n - 1])) n--;
  return s.length - n;
}

function leftTrimLength(s: string, from: number): number {
  let i = from;
  while (i < s.length && isSpace(s[i])) i++;
  return i - from;
}

const lexText: StateFn = (l) => {
  const x = l.input.indexOf(l.left, l.pos);
  if (x >= 0) {
    let trimLength = 0;
    const delimEnd = x + l.left.length;
    if (hasLeftTrimMarker(l.input, delimEnd)) {
      trimLength = rightTrimLength(l.input.slice(l.pos, x));
    }
    l.line += countNewlines(l.input, l.pos, x);
    l.pos = x;
    const textEnd = x - trimLength;
    if (textEnd > l.start) {
      l.items.push({
        t: "text",
        pos: l.start,
        val: l.input.slice(l.start, textEnd),
        line: l.startLine,
      });
    }
    l.start = x;
    l.startLine = l.line;
    return lexLeftDelim;
  }
  l.line += countNewlines(l.input, l.pos, l.input.length);
  l.pos = l.input.length;
  if (l.pos > l.start) l.emit("text");
  l.emit("eof");
  return null;
};

const lexLeftDelim: StateFn = (l) => {
  l.pos += l.left.length;
  const trimSpace = hasLeftTrimMarker(l.input, l.pos);
  const afterMarker = trimSpace ? 2 : 0;
  if (l.input.startsWith("/*", l.pos + afterMarker)) {
    l.pos += afterMarker;
    l.ignore();
    return lexComment;
  }
  l.emit("leftDelim");
  l.pos += afterMarker;
  l.ignore();
  l.parenDepth = 0;
  l.insideAction = true;
  return lexInsideAction;
};

const lexComment: StateFn = (l) => {
  l.pos += 2;
  const x = l.input.indexOf("*/", l.pos);
  if (x < 0) return l.errorf("unclosed comment");
  l.line += countNewlines(l.input, l.pos, x + 2);
  l.pos = x + 2;
  const [delim, trimSpace] = l.atRightDelim();
  if (!delim) return l.errorf("comment ends before closing delimiter");
  if (trimSpace) l.pos += 2;
  l.pos += l.right.length;
  if (trimSpace) {
    const n = leftTrimLength(l.input, l.pos);
    l.line += countNewlines(l.input, l.pos, l.pos + n);
    l.pos += n;
  }
  l.ignore();
  return lexText;
};

const lexRightDelim: StateFn = (l) => {
  const [, trimSpace] = l.atRightDelim();
  if (trimSpace) {
    l.pos += 2;
    l.ignore();
  }
  l.pos += l.right.length;
  l.emit("rightDelim");
  if (trimSpace) {
    const n = leftTrimLength(l.input, l.pos);
    l.line += countNewlines(l.input, l.pos, l.pos + n);
    l.pos += n;
    l.ignore();
  }
  l.insideAction = false;
  return lexText;
};

type Simple = (l: Lexer) => StateFn | null;

const SIMPLE: Readonly<Record<string, Simple>> = {
  "=": (l) => {
    l.emit("assign");
    return lexInsideAction;
  },
  ":": (l) => {
    if (l.next() !== "=") return l.errorf("expected :=");
    l.emit("declare");
    return lexInsideAction;
  },
  "|": (l) => {
    l.emit("pipe");
    return lexInsideAction;
  },
  '"': () => lexQuote,
  "`": () => lexRawQuote,
  $: () => lexVariable,
  "'": () => lexChar,
  "(": (l) => {
    l.emit("leftParen");
    l.parenDepth++;
    return lexInsideAction;
  },
  ")": (l) => {
    l.parenDepth--;
    if (l.parenDepth < 0) return l.errorf("unexpected right paren");
    l.emit("rightParen");
    return lexInsideAction;
  },
};

function describeRune(l: Lexer, c: string): string {
  const code = c.charCodeAt(0);
  if (code >= 0x80) {
    const buf = Buffer.from(l.input.slice(l.pos - 1, l.pos + 3), "latin1").toString("utf8");
    const cp = buf.codePointAt(0) ?? 0xfffd;
    return `U+${cp.toString(16).toUpperCase().padStart(4, "0")} '${String.fromCodePoint(cp)}'`;
  }
  const hexs = code.toString(16).toUpperCase().padStart(4, "0");
  if (code < 0x20 || code === 0x7f) return `U+${hexs}`;
  return `U+${hexs} '${c}'`;
}

const lexInsideAction: StateFn = (l) => {
  const [delim] = l.atRightDelim();
  if (delim) {
    if (l.parenDepth === 0) return lexRightDelim;
    return l.errorf("unclosed left paren");
  }
  const c = l.next();
  if (c === undefined) return l.errorf("unclosed action");
  if (isSpace(c)) {
    l.backup();
    return lexSpace;
  }
  const simple = SIMPLE[c];
  if (simple !== undefined) return simple(l);
  if (c === ".") {
    const n = l.peek();
    if (n === undefined || n < "0" || n > "9") return lexField;
  }
  if (c === "." || c === "+" || c === "-" || (c >= "0" && c <= "9")) {
    l.backup();
    return lexNumber;
  }
  if (isAlphaNumeric(c)) {
    l.backup();
    return lexIdentifier;
  }
  const code = c.charCodeAt(0);
  if (code < 0x7f && code >= 0x20) {
    l.emit("char");
    return lexInsideAction;
  }
  return l.errorf(`unrecognized character in action: ${describeRune(l, c)}`);
};

const lexSpace: StateFn = (l) => {
  let numSpaces = 0;
  while (isSpace(l.peek())) {
    l.next();
    numSpaces++;
  }
  if (hasRightTrimMarker(l.input, l.pos - 1) && l.input.startsWith(l.right, l.pos + 1)) {
    l.backup();
    if (numSpaces === 1) return lexInsideAction;
  }
  l.emit("space");
  return lexInsideAction;
};

const lexIdentifier: StateFn = (l) => {
  for (;;) {
    const c = l.next();
    if (isAlphaNumeric(c)) continue;
    l.backup();
    const word = l.input.slice(l.start, l.pos);
    if (!l.atTerminator())
      return l.errorf(`bad character ${describeRune(l, l.input[l.pos] ?? "")}`);
    const kw = KEYWORDS.get(word);
    if (kw !== undefined && kw !== "dot") l.emit(kw);
    else if (word === "true" || word === "false") l.emit("bool");
    else l.emit("identifier");
    return lexInsideAction;
  }
};

function lexFieldOrVariable(l: Lexer, t: ItemType): StateFn | null {
  if (l.atTerminator()) {
    l.emit(t === "variable" ? "variable" : "dot");
    return lexInsideAction;
  }
  for (;;) {
    const c = l.next();
    if (!isAlphaNumeric(c)) {
      l.backup();
      break;
    }
  }
  if (!l.atTerminator()) return l.errorf(`bad character ${describeRune(l, l.input[l.pos] ?? "")}`);
  l.emit(t);
  return lexInsideAction;
}

const lexField: StateFn = (l) => lexFieldOrVariable(l, "field");
const lexVariable: StateFn = (l) => lexFieldOrVariable(l, "variable");

const lexChar: StateFn = (l) => {
  for (;;) {
    const c = l.next();
    if (c === "\\") {
      const n = l.next();
      if (n !== undefined && n !== "\n") continue;
      return l.errorf("unterminated character constant");
    }
    if (c === undefined || c === "\n") return l.errorf("unterminated character constant");
    if (c === "'") break;
  }
  l.emit("charConstant");
  return lexInsideAction;
};

function scanNumber(l: Lexer): boolean {
  l.accept("+-");
  let digits = "0123456789_";
  if (l.accept("0")) {
    if (l.accept("xX")) digits = "0123456789abcdefABCDEF_";
    else if (l.accept("oO")) digits = "01234567_";
    else if (l.accept("bB")) digits = "01_";
  }
  l.acceptRun(digits);
  if (l.accept(".")) l.acceptRun(digits);
  if (digits.length === 11 && l.accept("eE")) {
    l.accept("+-");
    l.acceptRun("0123456789_");
  }
  if (digits.length === 23 && l.accept("pP")) {
    l.accept("+-");
    l.acceptRun("0123456789_");
  }
  l.accept("i");
  if (isAlphaNumeric(l.peek())) {
    l.next();
    return false;
  }
  return true;
}

const lexNumber: StateFn = (l) => {
  if (!scanNumber(l)) {
    return l.errorf(`bad number syntax: "${l.input.slice(l.start, l.pos)}"`);
  }
  const sign = l.peek();
  if (sign === "+" || sign === "-") {
    // complex: 1+2i
    if (!scanNumber(l) || l.input[l.pos - 1] !== "i") {
      return l.errorf(`bad number syntax: "${l.input.slice(l.start, l.pos)}"`);
    }
    l.emit("number");
    return lexInsideAction;
  }
  l.emit("number");
  return lexInsideAction;
};

const lexQuote: StateFn = (l) => {
  for (;;) {
    const c = l.next();
    if (c === "\\") {
      const n = l.next();
      if (n !== undefined && n !== "\n") continue;
      return l.errorf("unterminated quoted string");
    }
    if (c === undefined || c === "\n") return l.errorf("unterminated quoted string");
    if (c === '"') break;
  }
  l.emit("string");
  return lexInsideAction;
};

const lexRawQuote: StateFn = (l) => {
  const x = l.input.indexOf("`", l.pos);
  if (x < 0) return l.errorf("unterminated raw quoted string");
  l.line += countNewlines(l.input, l.pos, x + 1);
  l.pos = x + 1;
  l.emit("rawString");
  return lexInsideAction;
};

/** Lexes the whole input; the last item is eof or error. */
export function lex(input: string, left: string, right: string): Item[] {
  const l = new Lexer(input, left === "" ? "{{" : left, right === "" ? "}}" : right);
  let state: StateFn | null = lexText;
  while (state !== null) state = state(l);
  return l.items;
}
