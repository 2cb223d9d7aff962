// GeneratorState: what a stateful generator returned, kept for cleanup.
import { Type, type Static } from "@sinclair/typebox";
import { FreeJson, Time } from "../../meta/v1/builders.ts";
import { Condition } from "../../meta/v1/types.ts";
import { KindObject } from "../../meta/v1/object.ts";

export const GeneratorStateSpec = Type.Object({
  garbageCollectionDeadline: Type.Optional(Time()),
  /** the generator manifest the state belongs to */
  resource: FreeJson(),
  state: FreeJson(),
});
export type GeneratorStateSpec = Static<typeof GeneratorStateSpec>;

export const GeneratorStateStatus = Type.Object({
  conditions: Type.Optional(Type.Array(Condition(Type.String()))),
});
export type GeneratorStateStatus = Static<typeof GeneratorStateStatus>;

export const GeneratorState = KindObject(GeneratorStateSpec, GeneratorStateStatus);
export type GeneratorState = Static<typeof GeneratorState>;
