import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ApiException } from "@kubernetes/client-node";
import {
  KubeApiError,
  isAlreadyExists,
  isConflict,
  isGone,
  isNotFound,
  isTooManyRequests,
} from "./errors.ts";

describe("API error predicates", () => {
  const apiError = (code: number, reason?: string): KubeApiError =>
    new KubeApiError({
      code,
      method: "GET",
      path: "/x",
      status: reason === undefined ? undefined : { reason },
    });

  const cases: { code: number; check: (e: unknown) => boolean }[] = [
    { code: 404, check: isNotFound },
    { code: 409, check: isConflict },
    { code: 410, check: isGone },
    { code: 429, check: isTooManyRequests },
  ];
  for (const tc of cases) {
    it(`recognises ${tc.code} from Ferry's and client-node's errors`, () => {
      assert.equal(tc.check(apiError(tc.code)), true);
      assert.equal(tc.check(new ApiException(tc.code, "x", undefined, {})), true);
      assert.equal(tc.check(apiError(500)), false);
      assert.equal(tc.check(new Error("plain")), false);
      assert.equal(tc.check(undefined), false);
    });
  }

  it("tells AlreadyExists from other conflicts", () => {
    assert.equal(isAlreadyExists(apiError(409, "AlreadyExists")), true);
    assert.equal(isAlreadyExists(apiError(409, "Conflict")), false);
  });

  it("keeps the cause and the Status message", () => {
    const cause = new Error("root");
    const err = new KubeApiError({
      code: 403,
      method: "GET",
      path: "/p",
      status: { message: "forbidden" },
      cause,
    });
    assert.equal(err.cause, cause);
    assert.match(err.message, /GET \/p: forbidden/);
  });
});
