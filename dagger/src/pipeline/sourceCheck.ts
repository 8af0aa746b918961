/** Looks at the source directory before building, so a bad one fails with a clear message. */
import type { Directory } from "@dagger.io/dagger";

import { checkGoMod, checkSource, declaresPackageMain, hasVendor } from "../recipe/source.js";

/** Checks go.mod and the main package; returns whether the source vendors its modules. */
export async function inspectSource(source: Directory, pkg: string): Promise<{ vendor: boolean }> {
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
  return { vendor: hasVendor(entries) };
}
