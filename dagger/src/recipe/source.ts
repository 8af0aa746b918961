/**
 * What a Go source directory must hold, and the checks that turn a bad one into a clear error.
 * No Dagger import: the module and the tests share this file.
 */

/** What the module learned about a source directory. */
export interface SourceFacts {
  /** Top-level entries (directories end with `/`, as Dagger lists them). */
  entries: readonly string[];
  /** Go files in the main package directory. */
  mainPackageGoFiles: readonly string[];
  /** Whether any of those files declares `package main`. */
  hasPackageMain: boolean;
}

/** Whether the source vendors its dependencies (then: no download, -mod=vendor). */
export function hasVendor(entries: readonly string[]): boolean {
  return entries.includes("vendor/") || entries.includes("vendor");
}

/** Throws a clear error if the source directory is not a Go module root. */
export function checkGoMod(entries: readonly string[]): void {
  if (!entries.includes("go.mod")) {
    throw new Error(
      "no go.mod at the root of the source directory: pass the Go module's root with --source (it must contain go.mod)",
    );
  }
}

/** Throws a clear error if the source cannot be built as a Go service. */
export function checkSource(facts: SourceFacts, pkg: string): void {
  checkGoMod(facts.entries);
  if (facts.mainPackageGoFiles.length === 0) {
    throw new Error(`no Go files in package ${pkg}: pass the main package with --pkg (e.g. ./cmd/server)`);
  }
  if (!facts.hasPackageMain) {
    throw new Error(`package ${pkg} is not a main package: pass the main package with --pkg (e.g. ./cmd/server)`);
  }
}

/** Whether Go source text declares `package main` (comments and build tags may precede it). */
export function declaresPackageMain(goSource: string): boolean {
  return /^\s*package\s+main\s*(?:\/\/.*)?$/m.test(goSource);
}
