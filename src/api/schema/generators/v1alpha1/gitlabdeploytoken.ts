// GitlabDeployToken: a GitLab project or group deploy token (stateful).
import { Type, type Static } from "@sinclair/typebox";
import { StringEnum } from "../../meta/v1/builders.ts";
import { SecretKeySelector } from "../../meta/v1/types.ts";
import { KindObject } from "../../meta/v1/object.ts";

export const GitlabDeployTokenScope = StringEnum([
  "read_repository",
  "read_registry",
  "write_registry",
  "read_package_registry",
  "write_package_registry",
  "read_virtual_registry",
  "write_virtual_registry",
]);

export const GitlabDeployTokenSpec = Type.Object({
  url: Type.Optional(Type.String()),
  projectID: Type.Optional(Type.String()),
  groupID: Type.Optional(Type.String()),
  name: Type.String(),
  scopes: Type.Array(GitlabDeployTokenScope, { minItems: 1 }),
  expiresAt: Type.Optional(Type.String()),
  username: Type.Optional(Type.String()),
  auth: Type.Object({
    token: Type.Object({ secretRef: SecretKeySelector }),
  }),
});
export type GitlabDeployTokenSpec = Static<typeof GitlabDeployTokenSpec>;

export const GitlabDeployToken = KindObject(GitlabDeployTokenSpec);
export type GitlabDeployToken = Static<typeof GitlabDeployToken>;
