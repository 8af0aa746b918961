/** Looks at the source directory before building, so a bad one fails with a clear message. */
import type { Directory } from "@dagger.io/dagger";

import { checkGoMod, checkSource, declaresPackageMain, hasVendor, parseGoWork, type SourceLayout } from "../recipe/source.js";

/**
 * Checks go.mod (or go.work) and the main package; returns how the source is laid out. The listings
 * and a first guess at the main package's file (main.go) are asked for at once: one round trip to
 * the engine for most services, not one per file.
 */
export async function inspectSource(source: Directory, pkg: string): Promise<SourceLayout> {
  const dir = pkg === "." ? source : source.directory(pkg);
  const [entries, pkgEntries, mainGo] = await Promise.all([
    source.entries(),
    pkg === "." ? undefined : dir.entries().catch(() => null),
    dir.file("main.go").contents().catch(() => undefined),
  ]);
  checkGoMod(entries);
  const listed = pkgEntries === undefined ? entries : pkgEntries;
  if (listed === null) {
    throw new Error(`package ${pkg} does not exist in the source directory: pass the main package with --pkg`);
  }
  const goFiles = listed.filter((f) => f.endsWith(".go") && !f.endsWith("_test.go"));
  let hasPackageMain = goFiles.includes("main.go") && mainGo !== undefined && declaresPackageMain(mainGo);
  for (const f of goFiles) {
    if (hasPackageMain) break;
    if (f !== "main.go" && declaresPackageMain(await dir.file(f).contents())) hasPackageMain = true;
  }
  checkSource({ entries, mainPackageGoFiles: goFiles, hasPackageMain }, pkg);
  const workspace = entries.includes("go.work") ? parseGoWork(await source.file("go.work").contents()) : undefined;
  return { vendor: hasVendor(entries), workspace };
}
