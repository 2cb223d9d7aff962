// provider.fake: static in-memory data (eso-reference.md §9.7).
import { Type, type Static } from "@sinclair/typebox";

export const FakeProvider = Type.Object({
  data: Type.Array(
    Type.Object({
      key: Type.String(),
      value: Type.Optional(Type.String()),
      version: Type.Optional(Type.String()),
    }),
  ),
  /** 0 Ready, 1 Unknown, 2 Error */
  validationResult: Type.Optional(Type.Integer()),
});
export type FakeProvider = Static<typeof FakeProvider>;
