// The controllers `ferry controller` runs, in registration order. Each entry
// says which flags enable it; `setup` registers informers, watches and the
// reconciler on the Manager. Add a controller by appending an entry, e.g.
//   { name: "externalsecret", enabled: () => true, setup: setupExternalSecretController }
import { setupClusterExternalSecretController } from "../../controllers/clusterexternalsecret/setup.ts";
import type { ControllerSetup } from "../../controllers/common/deps.ts";
import { setupExternalSecretController } from "../../controllers/externalsecret/setup.ts";
import {
  setupClusterSecretStoreController,
  setupSecretStoreController,
} from "../../controllers/secretstore/index.ts";
import type { ControllerOptions } from "./options.ts";

export interface ControllerSetupEntry {
  readonly name: string;
  readonly enabled: (options: ControllerOptions) => boolean;
  readonly setup: ControllerSetup;
}

export const controllerSetups: ControllerSetupEntry[] = [
  {
    name: "secretstore",
    enabled: (o) => o.enableSecretStoreReconciler,
    setup: setupSecretStoreController,
  },
  {
    name: "clustersecretstore",
    enabled: (o) => o.enableClusterStoreReconciler,
    setup: setupClusterSecretStoreController,
  },
  {
    // ESO runs the ExternalSecret reconciler unconditionally.
    name: "externalsecret",
    enabled: () => true,
    setup: setupExternalSecretController,
  },
  {
    name: "clusterexternalsecret",
    enabled: (o) => o.enableClusterExternalSecretReconciler,
    setup: setupClusterExternalSecretController,
  },
];
