// ExternalSecretTemplate: how fetched data becomes the target object. Shared
// by ExternalSecret (spec.target.template) and PushSecret (spec.template).
import { Type, type Static } from "@sinclair/typebox";
import { StringEnum, StringMap } from "../../meta/v1/builders.ts";
import { DataKey, ObjectName } from "../../meta/v1/types.ts";

export const TemplateEngineVersion = StringEnum(["v2"], { default: "v2" });
export const TemplateMergePolicy = StringEnum(["Replace", "Merge"], { default: "Replace" });
export const TemplateScope = StringEnum(["Values", "KeysAndValues"], { default: "Values" });
export const DecodingStrategy = StringEnum(["Auto", "Base64", "Base64URL", "None"]);

const TemplateRefItem = Type.Object({
  key: DataKey(),
  templateAs: Type.Optional(TemplateScope),
});

export const TemplateRef = Type.Object({
  name: ObjectName(),
  items: Type.Array(TemplateRefItem),
});

export const TemplateFrom = Type.Object({
  configMap: Type.Optional(TemplateRef),
  secret: Type.Optional(TemplateRef),
  literal: Type.Optional(Type.String()),
  target: Type.Optional(Type.String({ default: "Data" })),
  valuesDecodingStrategy: Type.Optional(DecodingStrategy),
});
export type TemplateFrom = Static<typeof TemplateFrom>;

export const ExternalSecretTemplate = Type.Object({
  type: Type.Optional(Type.String()),
  engineVersion: Type.Optional(TemplateEngineVersion),
  metadata: Type.Optional(
    Type.Object({
      labels: Type.Optional(StringMap()),
      annotations: Type.Optional(StringMap()),
      finalizers: Type.Optional(Type.Array(Type.String())),
    }),
  ),
  mergePolicy: Type.Optional(TemplateMergePolicy),
  data: Type.Optional(StringMap()),
  templateFrom: Type.Optional(Type.Array(TemplateFrom)),
});
export type ExternalSecretTemplate = Static<typeof ExternalSecretTemplate>;
