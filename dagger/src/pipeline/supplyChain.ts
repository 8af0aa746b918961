/**
 * `sbom` and `scan`: the SBOM generator and govulncheck, installed at pinned versions (on the
 * module and build cache volumes), run on the binary and on the source.
 */
import type { Container, File } from "@dagger.io/dagger";

import { GO_PATHS } from "../recipe/goBuild.js";
import { goPlatformEnv } from "../recipe/platform.js";
import { packagePatterns, type SourceLayout } from "../recipe/source.js";
import {
  SUPPLY_CHAIN_TOOLS,
  TOOLS_BIN,
  parseVulncheck,
  sbomArgs,
  vulncheckArgs,
  vulncheckFailure,
  vulnVerdict,
  type SupplyChainTool,
} from "../recipe/supplyChain.js";
import { isExecError } from "../bundledSdk.js";
import { execOutput, execStep, type StepRunner } from "./exec.js";
import { sourceLayer } from "./goLayers.js";
import { helperToolchain } from "./helpers.js";
import { toolchain } from "./toolchain.js";
import type { Settings } from "./settings.js";

/** `ctr` with `tool` installed into TOOLS_BIN by `go install` (outside any module, no cgo). */
function installTool(ctr: Container, tool: SupplyChainTool, run: StepRunner): Promise<Container> {
  const env = { GOBIN: TOOLS_BIN, GOFLAGS: "", GOWORK: "off", CGO_ENABLED: "0" };
  for (const [name, value] of Object.entries(env)) ctr = ctr.withEnvVariable(name, value);
  return run(ctr.withWorkdir("/"), `installing ${tool.bin} ${tool.version}`, ["go", "install", `${tool.pkg}@${tool.version}`]);
}

/**
 * The CycloneDX SBOM of a binary built for `platform`. The generator reads the module list Go
 * embeds in the binary: it is one of the module's own tools, installed and run in the module's
 * helper toolchain, whatever Go built the binary.
 */
export async function sbomOf(s: Settings, binary: File, platform: string, run: StepRunner = execStep): Promise<File> {
  const app = "/go-scratch/in/app";
  const out = "/go-scratch/sbom.cdx.json";
  let ctr = (await installTool(helperToolchain(s), SUPPLY_CHAIN_TOOLS.sbom, run)).withFile(app, binary, { permissions: 0o755 });
  // The generator takes the purls' goos/goarch from the environment, not from the binary.
  for (const [name, value] of Object.entries(goPlatformEnv(platform))) ctr = ctr.withEnvVariable(name, value);
  return (await run(ctr, `writing the SBOM of ${platform}`, sbomArgs(app, s.version, out))).file(out);
}

/** govulncheck on the source; throws with what the code calls, or returns the one-line report. */
export async function vulnScan(s: Settings, layout: SourceLayout): Promise<string> {
  const src = await sourceLayer(s, layout);
  // govulncheck type-checks the source with the Go it was built with, and refuses a package that
  // asks for a newer one: it is built with at least the Go the source selects (go.mod's, under
  // GOTOOLCHAIN=auto), or the newer one govulncheck's own go.mod asks for (+auto).
  const goVersion = (await execOutput(src, "go env GOVERSION", ["go", "env", "GOVERSION"])).trim();
  const tools = await installTool(toolchain(s).withEnvVariable("GOTOOLCHAIN", `${goVersion}+auto`), SUPPLY_CHAIN_TOOLS.vulncheck, execStep);
  let ctr = src.withDirectory(TOOLS_BIN, tools.directory(TOOLS_BIN));
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
