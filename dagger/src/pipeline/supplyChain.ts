/**
 * `sbom` and `scan`: the SBOM generator and govulncheck, installed at pinned versions in the
 * toolchain (on the module and build cache volumes), run on the binary and on the source.
 */
import type { Container, File } from "@dagger.io/dagger";

import { GO_PATHS } from "../recipe/goBuild.js";
import { goPlatformEnv } from "../recipe/platform.js";
import { packagePatterns, type SourceLayout } from "../recipe/source.js";
import { SUPPLY_CHAIN_TOOLS, TOOLS_BIN, parseVulncheck, sbomArgs, vulncheckArgs, vulncheckFailure, vulnVerdict } from "../recipe/supplyChain.js";
import { isExecError } from "../bundledSdk.js";
import { execStep, type StepRunner } from "./exec.js";
import { sourceLayer } from "./goLayers.js";
import { toolchain } from "./toolchain.js";
import type { Settings } from "./settings.js";

/** The toolchain with the SBOM generator and govulncheck installed in TOOLS_BIN. */
export async function supplyChainTools(s: Settings, run: StepRunner = execStep): Promise<Container> {
  let ctr = toolchain(s)
    .withWorkdir("/")
    .withEnvVariable("GOBIN", TOOLS_BIN)
    .withEnvVariable("GOFLAGS", "")
    .withEnvVariable("GOWORK", "off")
    .withEnvVariable("CGO_ENABLED", "0");
  for (const tool of Object.values(SUPPLY_CHAIN_TOOLS)) {
    ctr = await run(ctr, `installing ${tool.bin} ${tool.version}`, ["go", "install", `${tool.pkg}@${tool.version}`]);
  }
  return ctr;
}

/** The CycloneDX SBOM of a binary built for `platform`. */
export async function sbomOf(s: Settings, binary: File, platform: string, run: StepRunner = execStep): Promise<File> {
  const app = "/go-scratch/in/app";
  const out = "/go-scratch/sbom.cdx.json";
  let ctr = (await supplyChainTools(s, run)).withFile(app, binary, { permissions: 0o755 });
  // The generator takes the purls' goos/goarch from the environment, not from the binary.
  for (const [name, value] of Object.entries(goPlatformEnv(platform))) ctr = ctr.withEnvVariable(name, value);
  return (await run(ctr, `writing the SBOM of ${platform}`, sbomArgs(app, s.version, out))).file(out);
}

/** govulncheck on the source; throws with what the code calls, or returns the one-line report. */
export async function vulnScan(s: Settings, layout: SourceLayout): Promise<string> {
  const tools = await supplyChainTools(s);
  let ctr = (await sourceLayer(s, layout)).withDirectory(TOOLS_BIN, tools.directory(TOOLS_BIN));
  let db = s.vulnDbUrl;
  if (s.vulnDb) {
    ctr = ctr.withMountedDirectory(GO_PATHS.vulnDb, s.vulnDb);
    db = `file://${GO_PATHS.vulnDb}`;
  }
  let out: string;
  try {
    out = await ctr.withExec(vulncheckArgs(packagePatterns(layout), db)).stdout();
  } catch (e) {
    // Vulnerabilities found are exit 0 in JSON mode; a failure is govulncheck's own.
    if (!isExecError(e)) throw e;
    throw new Error(vulncheckFailure(e.stderr, e.exitCode, db), { cause: e });
  }
  const verdict = vulnVerdict(parseVulncheck(out));
  if (!verdict.ok) throw new Error(verdict.text);
  return verdict.text;
}
