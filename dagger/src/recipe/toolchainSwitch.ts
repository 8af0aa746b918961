/**
 * When go.mod (or go.work) asks for a newer Go than the golang image has, the go command fetches
 * that toolchain itself (GOTOOLCHAIN=auto, recipe/goBuild.ts). Where it cannot (an offline or
 * private proxy, a version that does not exist), this reads its words and says, in one line, what
 * go.mod asks for, what the image has and what to pass. No Dagger import.
 */

/** A toolchain the go command could not fetch: the version it wanted and why it could not. */
export interface ToolchainFailure {
  wanted: string;
  reason: string;
}

/**
 * Finds the go command's own report of a toolchain it could not fetch in a command's output:
 * `go: download go1.27.9 for linux/amd64: toolchain not available`, or
 * `go: download go1.27.9: golang.org/toolchain@…: reading https://…: 403 Forbidden` followed by the
 * proxy's `server response:` line; or, where GOTOOLCHAIN=local was forced, `go: go.mod requires go >= 1.27.3 (running go 1.26.8; GOTOOLCHAIN=local)`.
 */
export function toolchainFailure(output: string): ToolchainFailure | undefined {
  const download = /^go: download (go[\w.-]+)(?: for [\w/]+)?: (.*)$/m.exec(output);
  if (download) {
    const response = /^\s*server response: (.*)$/m.exec(output.slice(download.index));
    const cause = response ? `${shorten(download[2])}: ${response[1].trim()}` : shorten(download[2]);
    return { wanted: download[1], reason: cause };
  }
  const local = /^go: (go\.(?:mod|work)) requires (go|toolchain) >= ([\w.-]+) \(running go ([\w.-]+); GOTOOLCHAIN=local\)/m.exec(output);
  if (local) return { wanted: `go${local[3]}`, reason: "GOTOOLCHAIN=local forbids fetching it" };
  return undefined;
}

/** The go command's reason without the module path and URL it fetched from (kept short, one line). */
function shorten(reason: string): string {
  const m = /^golang\.org\/toolchain@[^:]+: (?:reading \S+: )?(.*)$/.exec(reason.trim());
  return (m ? m[1] : reason).replace(/\s+/g, " ").trim();
}

/** The one-line error for a toolchain the go command could not fetch. */
export function toolchainMessage(f: ToolchainFailure, imageGo: string | undefined): string {
  const version = f.wanted.replace(/^go/, "");
  const has = imageGo ? `the toolchain has ${imageGo}` : "the toolchain's Go is older";
  return (
    `go.mod (or go.work) asks for ${f.wanted}; ${has}, and the go command could not fetch ${f.wanted} from GOPROXY (${f.reason}): ` +
    `pass --golang-image with Go ${version} or newer (e.g. golang:${version}-alpine, pinned by digest), or --toolchain, ` +
    "or --goproxy with a proxy that serves golang.org/toolchain"
  );
}
