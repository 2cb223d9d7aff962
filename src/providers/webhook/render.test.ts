// Template rendering and the redaction of secret values from errors.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { NoSecretError, ProviderError } from "../errors.ts";
import { Redactor, renderText } from "./render.ts";
import { NO_SECRETS, queryEscape, readData } from "./template-data.ts";

describe("Redactor", () => {
  const redactor = new Redactor(["s3cr3t-value", "ab"]).with(["another-secret"]);

  it("replaces values of 3 characters or more, longest first", () => {
    assert.equal(
      redactor.text("x s3cr3t-value y another-secret z ab"),
      "x [redacted] y [redacted] z ab",
    );
  });

  it("keeps the class and code of errors, and drops the stack and cause", () => {
    const missing = redactor.error(new NoSecretError("at host s3cr3t-value"));
    assert.ok(missing instanceof NoSecretError);
    assert.equal(missing.message, "Secret does not exist: at host [redacted]");
    assert.doesNotMatch(missing.stack ?? "", /s3cr3t/);
    const failed = redactor.error(
      new ProviderError("AuthFailed", "bad s3cr3t-value", { cause: new Error("s3cr3t-value") }),
    );
    assert.ok(failed instanceof ProviderError);
    assert.equal(failed.code, "AuthFailed");
    assert.equal(failed.cause, undefined);
    const untouched = new ProviderError("ProviderError", "nothing secret");
    assert.equal(redactor.error(untouched), untouched);
  });
});

describe("renderText", () => {
  it("renders ESO's data and names the field in errors, redacted", () => {
    const data = readData({ key: "a b", property: "p" }, "ns", NO_SECRETS, true);
    assert.equal(
      renderText("url", "{{ .remoteRef.key }}|{{ .remoteRef.namespace }}", data, new Redactor()),
      "a+b|ns",
    );
    assert.equal(renderText("body", "", data, new Redactor()), "");
    assert.throws(
      () =>
        renderText("body", '{{ fail "leak-s3cr3t-value" }}', data, new Redactor(["s3cr3t-value"])),
      (err: unknown) =>
        err instanceof ProviderError &&
        err.message.startsWith("failed to parse body: template: webhooktemplate:1:") &&
        !err.message.includes("s3cr3t-value"),
    );
  });

  it("queryEscape is Go's url.QueryEscape", () => {
    assert.equal(
      queryEscape("a b/c?d=e&f+g~h_i.j-k!*'()ü"),
      "a+b%2Fc%3Fd%3De%26f%2Bg~h_i.j-k%21%2A%27%28%29%C3%BC",
    );
  });
});
