/**
 * `publish` with named arguments, to a registry on this machine reached through a host service
 * binding (as on any machine: --registry-service tcp://localhost:<port>), for the publish suites.
 */
import { dag } from "@dagger.io/dagger";

import { goScratch, type TestOptions } from "./engine.js";

/** publish's arguments by name; secrets as plain text, made Secrets here. */
export interface PublishArgs {
  tag: string;
  repository: string;
  username?: string;
  password?: string;
  platforms?: string;
  latest?: boolean;
  aliases?: boolean;
  skipTests?: boolean;
  skipScan?: boolean;
  /** A Docker config.json's text, passed as --registry-config. */
  registryConfig?: string;
}

/** `publish` to `localhost:<port>/<repository>`, the registry bound as a service. */
export function publishTo(port: number, a: PublishArgs, o: TestOptions = {}): Promise<string> {
  const secret = (name: string, value?: string) => (value === undefined ? undefined : dag.setSecret(`${name}-${port}-${value.length}`, value));
  const service = dag.host().service([{ frontend: port, backend: port }]);
  return goScratch(o).publish(
    a.tag,
    `localhost:${port}/${a.repository}`,
    a.username,
    secret("registry-password", a.password),
    a.platforms,
    a.latest,
    a.aliases,
    a.skipTests,
    service,
    undefined,
    a.skipScan,
    secret("registry-config", a.registryConfig),
  );
}
