// Fake: returns the data it is given.
import { Type, type Static } from "@sinclair/typebox";
import { StringMap } from "../../meta/v1/builders.ts";
import { KindObject } from "../../meta/v1/object.ts";

export const FakeSpec = Type.Object({
  controller: Type.Optional(Type.String()),
  data: Type.Optional(StringMap()),
});
export type FakeSpec = Static<typeof FakeSpec>;

export const Fake = KindObject(FakeSpec);
export type Fake = Static<typeof Fake>;
