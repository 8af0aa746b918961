/** Looks at the source directory before building, so a bad one fails with a clear message. */
import { ExistsType, type Directory } from "@dagger.io/dagger";

import { parseGoMod, workspaceDownloads } from "../recipe/goMod.js";
import { checkGoMod, checkSource, declaresPackageMain, hasVendor, parseGoWork, type SourceLayout } from "../recipe/source.js";

/**
 * Checks go.mod (or go.work) and the main package; returns how the source is laid out. The root's
 * listing, the package's Go files and a first guess at its main file (main.go) are asked for at
 * once: one round trip to the engine for most services, not one per file. Only a missing main.go
 * that the listing confirms is missing is taken as absent; any other engine error is reported as
 * it is, not as a problem of the user's source.
 */
export async function inspectSource(source: Directory, pkg: string): Promise<SourceLayout> {
  const dir = pkg === "." ? "" : `${pkg.replace(/^\.\//, "")}/`;
  const mainGo = source.file(`${dir}main.go`).contents();
  mainGo.catch(() => undefined); // settled below; never an unhandled rejection
  const [entries, globbed] = await Promise.all([source.entries(), source.glob(`${dir}*.go`)]);
  checkGoMod(entries);
  const goFiles = globbed.map((p) => p.slice(dir.length)).filter((f) => !f.endsWith("_test.go"));
  if (goFiles.length === 0 && dir !== "" && !(await source.exists(dir, { expectedType: ExistsType.DirectoryType }))) {
    throw new Error(`package ${pkg} does not exist in the source directory: pass the main package with --pkg`);
  }
  let hasPackageMain = goFiles.includes("main.go") && declaresPackageMain(await mainGo);
  for (const f of goFiles) {
    if (hasPackageMain) break;
    if (f !== "main.go" && declaresPackageMain(await source.file(`${dir}${f}`).contents())) hasPackageMain = true;
  }
  checkSource({ entries, mainPackageGoFiles: goFiles, hasPackageMain }, pkg);
  if (!entries.includes("go.work")) return { vendor: hasVendor(entries) };
  const goWork = await source.file("go.work").contents();
  const workspace = parseGoWork(goWork);
  const modules = await Promise.all(workspace.map(async (d) => parseGoMod(await source.file(`${d}/go.mod`).contents())));
  return { vendor: hasVendor(entries), workspace, downloads: workspaceDownloads(parseGoMod(goWork), modules) };
}
