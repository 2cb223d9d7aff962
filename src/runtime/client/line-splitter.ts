// Splits a streamed watch body into JSON lines. Chunks arrive at arbitrary
// byte boundaries; the decoder keeps multi-byte characters intact.
import { StringDecoder } from "node:string_decoder";

export class LineSplitter {
  readonly #decoder = new StringDecoder("utf8");
  #partial = "";

  /** Returns the complete, non-empty lines that `chunk` finishes. */
  push(chunk: Buffer | string): string[] {
    const text = this.#partial + (typeof chunk === "string" ? chunk : this.#decoder.write(chunk));
    const parts = text.split("\n");
    this.#partial = parts.pop() ?? "";
    return parts.filter((line) => line.trim() !== "");
  }

  /** The last line when the stream ended without a newline. */
  flush(): string | undefined {
    const rest = this.#partial + this.#decoder.end();
    this.#partial = "";
    return rest.trim() === "" ? undefined : rest;
  }
}
