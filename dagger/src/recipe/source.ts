/**
 * What a Go source directory must hold, and the checks that turn a bad one into a clear error.
 * No Dagger import: the module and the tests share this file.
 */
import type { ModuleVersion } from "./goMod.js";

/** Where `source` comes from when it is not given: this repository's reference service. */
export const SOURCE_DEFAULT_PATH = "/service";

/**
 * What the source leaves out: version control, dependencies of other tools, documentation and
 * editor files, the Dockerfile this module replaces; so editing any of them rebuilds nothing.
 */
export const SOURCE_IGNORE = ["**/.git", "**/node_modules", "**/*.md", "**/.github", "**/.vscode", "**/.idea", "**/Dockerfile", "**/.dockerignore"];

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

/** Throws a clear error if the source directory is neither a Go module root nor a workspace root. */
export function checkGoMod(entries: readonly string[]): void {
  if (!entries.includes("go.mod") && !entries.includes("go.work")) {
    throw new Error(
      "no go.mod at the root of the source directory: pass the Go module's root with --source (it must contain go.mod, or go.work for a workspace)",
    );
  }
}

/** How the source is laid out: one module, or a go.work workspace of modules in these directories. */
export interface SourceLayout {
  vendor: boolean;
  /** The workspace's module directories (`./lib`, `./svc`), when the root has a go.work. */
  workspace?: string[];
  /**
   * The module versions the cache layer downloads itself, for a workspace `go mod download`
   * cannot handle (recipe/goMod.ts: workspaceDownloads); undefined: `go mod download` does it.
   */
  downloads?: ModuleVersion[];
}

/** The module directories a go.work `use`s, as `./dir`; refuses directories outside the source. */
export function parseGoWork(text: string): string[] {
  const withoutComments = text.replace(/\/\/.*$/gm, "");
  const dirs: string[] = [];
  for (const m of withoutComments.matchAll(/^\s*use\s*(?:\(([^)]*)\)|(\S+))/gm)) {
    for (const d of (m[1] ?? m[2]).split(/\s+/).filter((x) => x !== "")) {
      const dir = d.replace(/^"|"$/g, "").replace(/\/+$/, "");
      const rel = dir === "." || dir.startsWith("./") ? dir : `./${dir}`;
      if (rel.split("/").includes("..")) {
        throw new Error(`go.work uses ${JSON.stringify(d)}, outside the source directory: pass the directory that holds every module with --source`);
      }
      dirs.push(rel);
    }
  }
  if (dirs.length === 0) throw new Error("go.work uses no module: add `use ./your-module` to it");
  return dirs;
}

/** The files the cache layer copies: the manifests only, so editing a .go file keeps the layer. */
export function manifestFiles(layout: SourceLayout): string[] {
  if (!layout.workspace) return ["go.mod", "go.sum"];
  const strip = (d: string) => (d === "." ? "" : `${d.replace(/^\.\//, "")}/`);
  return ["go.work", "go.work.sum", ...layout.workspace.flatMap((d) => [`${strip(d)}go.mod`, `${strip(d)}go.sum`])];
}

/** The package patterns go vet and go test run on: every package of the module or workspace. */
export function packagePatterns(layout: SourceLayout): string[] {
  return layout.workspace ? layout.workspace.map((d) => `${d}/...`) : ["./..."];
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
