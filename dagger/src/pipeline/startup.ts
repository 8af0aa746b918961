/**
 * Before anything waits on the running image: its service started once by the startcheck helper,
 * in a copy of the image (the helper added), as the image starts it. The engine itself waits for a
 * service's port without a bound (a service on 127.0.0.1 kept `test` waiting 15 minutes); this step
 * is bounded by --start-timeout and says why the service cannot be reached, with its own output.
 */
import type { Container, Service } from "@dagger.io/dagger";

import { HELPERS, STARTCHECK_IN_IMAGE, startCheckArgs } from "../recipe/helpers.js";
import { imageConfig } from "../recipe/image.js";
import { parseStartReport, startFailureMessage } from "../recipe/startup.js";
import { isExecError } from "../bundledSdk.js";
import { helperTools } from "./helpers.js";
import { runtimeOptions } from "./runtimeImage.js";
import type { Settings } from "./settings.js";

/** Throws, saying why, unless the image's service listens on --port where other containers reach it. */
export async function checkStart(s: Settings, image: Container): Promise<void> {
  const cfg = imageConfig(runtimeOptions(s));
  const helper = (await helperTools(s, ["startcheck"])).file(HELPERS.startcheck);
  const args = startCheckArgs([...cfg.entrypoint, ...cfg.cmd], s.port, s.startTimeout);
  const probe = image.withFile(STARTCHECK_IN_IMAGE, helper, { permissions: 0o555 }).withExec([STARTCHECK_IN_IMAGE, ...args.slice(1)]);
  let stdout: string;
  try {
    stdout = await probe.stdout();
  } catch (e) {
    // The helper exits 1 with its report when the service cannot be reached.
    if (!isExecError(e) || e.exitCode !== 1 || e.stdout.trim() === "") throw e;
    stdout = e.stdout;
  }
  const message = startFailureMessage(parseStartReport(stdout), s.port, s.startTimeout);
  if (message) throw new Error(message);
}

/**
 * Starts `service` (checked by checkStart first), waiting at most --start-timeout plus a margin for
 * the engine to set it up; the caller's bindings then reuse the running service.
 */
export async function startBounded(s: Settings, service: Service): Promise<Service> {
  const limit = (s.startTimeout + 60) * 1000;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`the engine did not start the service within ${s.startTimeout + 60} s, though it listened on port ${s.port} when checked: retry, and look at the engine's log if it persists`)),
      limit,
    );
  });
  try {
    return await Promise.race([service.start(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
