/**
 * How the module's helpers that talk to a registry (the pusher, the signer) reach it: credentials,
 * a Docker config, a service standing for the registry. Both read them alike (see
 * dagger/helpers/push/main.go), and no credential is ever on a command line.
 */
import type { Container, Secret, Service } from "@dagger.io/dagger";

import { PUSH_PATHS, type RegistryAccessArgs } from "../recipe/helpers.js";
import { registryPort, type Repository } from "../recipe/reference.js";

/** How to reach a registry: credentials, a Docker config, a service standing for it. */
export interface RegistryAccess {
  username?: string;
  password?: Secret;
  /** A Docker config.json whose `auths` hold the registry's credentials. */
  registryConfig?: Secret;
  /** Reach the registry through this service instead of the network. */
  registryService?: Service;
}

/**
 * `ctr` able to reach `repo`'s registry as `access` says: the credentials as REGISTRY_USERNAME and
 * a secret REGISTRY_PASSWORD, a Docker config mounted as a secret, a registry service bound under
 * an alias (dialled with -connect). The pusher and the signer read them alike.
 */
export function withRegistryAccess(ctr: Container, access: RegistryAccess, repo: Repository): { ctr: Container; args: RegistryAccessArgs } {
  if (access.username && access.password) {
    ctr = ctr.withEnvVariable("REGISTRY_USERNAME", access.username).withSecretVariable("REGISTRY_PASSWORD", access.password);
  }
  if (access.registryConfig) ctr = ctr.withMountedSecret(PUSH_PATHS.dockerConfig, access.registryConfig);
  let connect: string | undefined;
  if (access.registryService) {
    ctr = ctr.withServiceBinding(PUSH_PATHS.registryAlias, access.registryService);
    connect = `${PUSH_PATHS.registryAlias}:${registryPort(repo.registry)}`;
  }
  return { ctr, args: { connect, dockerConfig: Boolean(access.registryConfig) } };
}

