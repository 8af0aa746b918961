/** Looks at the source directory before building, so a bad one fails with a clear message. */
import type { Directory } from "@dagger.io/dagger";

import { checkGoMod, checkSource, declaresPackageMain, hasVendor, parseGoWork, type SourceLayout } from "../recipe/source.js";

/** Checks go.mod (or go.work) and the main package; returns how the source is laid out. */
export async function inspectSource(source: Directory, pkg: string): Promise<SourceLayout> {
  const entries = await source.entries();
  checkGoMod(entries);
  let goFiles: string[] = [];
  let hasPackageMain = false;
  const dir = pkg === "." ? source : source.directory(pkg);
  try {
    goFiles = (await dir.entries()).filter((f) => f.endsWith(".go") && !f.endsWith("_test.go"));
  } catch {
    throw new Error(`package ${pkg} does not exist in the source directory: pass the main package with --pkg`);
  }
  for (const f of goFiles) {
    if (declaresPackageMain(await dir.file(f).contents())) {
      hasPackageMain = true;
      break;
    }
  }
  checkSource({ entries, mainPackageGoFiles: goFiles, hasPackageMain }, pkg);
  const workspace = entries.includes("go.work") ? parseGoWork(await source.file("go.work").contents()) : undefined;
  return { vendor: hasVendor(entries), workspace };
}
