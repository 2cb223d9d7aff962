// UUID: a random UUID; the spec has no fields.
import { Type, type Static } from "@sinclair/typebox";
import { KindObject } from "../../meta/v1/object.ts";

export const UUIDSpec = Type.Object({});
export type UUIDSpec = Record<string, never>;

export const UUID = KindObject(UUIDSpec);
export type UUID = Static<typeof UUID>;
