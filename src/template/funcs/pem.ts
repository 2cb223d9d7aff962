// PEM blocks as Go's encoding/pem reads and writes them.

export interface PemBlock {
  type: string;
  headers: string;
  der: Buffer;
}

const PEM_RE = /-----BEGIN ([^-\r\n]*)-----\r?\n([\s\S]*?)-----END \1-----[ \t]*(\r?\n|$)/g;

/** Decodes every PEM block (Go's pem.Decode in a loop); returns the blocks and whether junk remained. */
export function decodePem(input: string): { blocks: PemBlock[]; junk: boolean } {
  const blocks: PemBlock[] = [];
  let last = 0;
  for (const m of input.matchAll(PEM_RE)) {
    const body = m[2] ?? "";
    const split = /^((?:[^\r\n]*:[^\r\n]*\r?\n)+)\r?\n/.exec(body);
    const headers = split === null ? "" : (split[1] ?? "");
    const b64 = (split === null ? body : body.slice(split[0].length)).replace(/\s+/g, "");
    blocks.push({ type: m[1] ?? "", headers, der: Buffer.from(b64, "base64") });
    last = m.index + m[0].length;
  }
  return { blocks, junk: input.slice(last).trim() !== "" };
}

/** The first PEM block of the input (Go's pem.Decode), or undefined. */
export function firstPemBlock(input: string): PemBlock | undefined {
  return decodePem(input).blocks[0];
}

/** pem.Encode. */
export function encodePem(b: PemBlock): string {
  const lines = b.der.toString("base64").match(/.{1,64}/g) ?? [];
  const headers = b.headers === "" ? "" : `${b.headers}\n`;
  return `-----BEGIN ${b.type}-----\n${headers}${lines.map((l) => `${l}\n`).join("")}-----END ${b.type}-----\n`;
}
