/**
 * go.mod and go.work read as far as the cache layer needs: which modules a workspace provides,
 * which it requires from elsewhere, and so what `go mod download` must fetch. No Dagger import.
 */

/** A module path at a version. */
export interface ModuleVersion {
  path: string;
  version: string;
}

/** A replace directive: `from` (any version, or `fromVersion`) by a directory or a module version. */
export interface Replace {
  from: string;
  fromVersion?: string;
  /** A directory (./x, ../x, /x) or a module path. */
  to: string;
  toVersion?: string;
}

/** What the cache layer reads from a go.mod (or the replaces of a go.work). */
export interface GoModFile {
  module?: string;
  requires: ModuleVersion[];
  replaces: Replace[];
}

/** The directive lines of a go.mod or go.work, blocks flattened: [verb, ...words]. */
function directives(text: string): string[][] {
  const out: string[][] = [];
  let block: string | undefined;
  for (const raw of text.split("\n")) {
    const line = raw.replace(/\/\/.*$/, "").trim();
    if (line === "") continue;
    if (block) {
      if (line === ")") block = undefined;
      else out.push([block, ...line.split(/\s+/)]);
      continue;
    }
    const m = /^(\w+)\s*\($/.exec(line);
    if (m) block = m[1];
    else out.push(line.split(/\s+/));
  }
  return out.map((words) => words.map((w) => w.replace(/^"(.*)"$/, "$1")));
}

/** Parses the module, require and replace directives of a go.mod (or go.work: replaces only). */
export function parseGoMod(text: string): GoModFile {
  const file: GoModFile = { requires: [], replaces: [] };
  for (const [verb, ...w] of directives(text)) {
    if (verb === "module" && w[0]) file.module = w[0];
    if (verb === "require" && w.length >= 2) file.requires.push({ path: w[0], version: w[1] });
    if (verb === "replace") {
      const arrow = w.indexOf("=>");
      if (arrow < 1) continue;
      const [from, fromVersion] = w.slice(0, arrow);
      const [to, toVersion] = w.slice(arrow + 1);
      if (to) file.replaces.push({ from, fromVersion, to, toVersion });
    }
  }
  return file;
}

/** Whether a replace target is a directory rather than a module. */
function isDirectory(to: string): boolean {
  return to.startsWith("./") || to.startsWith("../") || to.startsWith("/") || to === "." || to === "..";
}

/**
 * What the cache layer downloads for a workspace: undefined when `go mod download` can do it
 * itself, or the exact module versions to fetch. `go mod download` (and every command that loads
 * the module graph) fails in a workspace where one module requires another at a version that exists
 * nowhere but in the workspace (e.g. v0.0.0, with no replace), although `go build` succeeds there;
 * for such a workspace the downloads are the requirements of its modules, minus the modules it
 * provides, replaced where a replace says so.
 */
export function workspaceDownloads(goWork: GoModFile, modules: readonly GoModFile[]): ModuleVersion[] | undefined {
  const provided = new Set(modules.map((m) => m.module).filter((m): m is string => m !== undefined));
  const crossRequired = modules.some((m) => m.requires.some((r) => provided.has(r.path)));
  if (!crossRequired) return undefined;
  const replaces = [...goWork.replaces, ...modules.flatMap((m) => m.replaces)];
  const wanted = new Map<string, ModuleVersion>();
  for (const r of modules.flatMap((m) => m.requires)) {
    if (provided.has(r.path)) continue;
    const rep = replaces.find((x) => x.from === r.path && (x.fromVersion === undefined || x.fromVersion === r.version));
    if (rep && isDirectory(rep.to)) continue;
    const target = rep && rep.toVersion ? { path: rep.to, version: rep.toVersion } : r;
    wanted.set(`${target.path}@${target.version}`, target);
  }
  return [...wanted.values()].sort((a, b) => (a.path === b.path ? a.version.localeCompare(b.version) : a.path.localeCompare(b.path)));
}
