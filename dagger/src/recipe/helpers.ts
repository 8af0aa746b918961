/**
 * Where the module's Go helpers (dagger/helpers) go in the toolchain container, and how their
 * commands are called. No Dagger import.
 */
import { validateEpoch, type RootfsEntry } from "./image.js";

export const HELPERS = {
  /** Where their source (dagger/helpers) is copied. */
  src: "/go-scratch/helpers",
  /** Where `go build` writes them. */
  bin: "/go-scratch/bin",
  /** The rootfs assembler. */
  rootfs: "/go-scratch/bin/rootfs",
  /** The HTTP probe. */
  httpprobe: "/go-scratch/bin/httpprobe",
  /** The registry pusher (oras-go). */
  push: "/go-scratch/bin/push",
  /** The signer and verifier (sigstore's cosign packages). */
  sign: "/go-scratch/bin/sign",
  /** The start check: runs the service and reports whether, and where, it listens. */
  startcheck: "/go-scratch/bin/startcheck",
  /** The layout rewriter that takes the engine's clock out of the image. */
  reproducible: "/go-scratch/bin/reproducible",
} as const;

/** A helper, by the name of its directory (and of its binary in HELPERS.bin). */
export type HelperName = "rootfs" | "httpprobe" | "push" | "reproducible" | "startcheck" | "sign";

/**
 * Helpers that are Go modules of their own, with dependencies (the pusher: oras-go; the signer:
 * sigstore's packages), each built alone, and only when a function needs it: a publish without a
 * signing key never compiles the signer.
 */
const OWN_MODULES: readonly HelperName[] = ["push", "sign"];

/**
 * The `go build` that compiles only the named helpers into HELPERS.bin: a helper with a module of
 * its own alone (`go build -C push`), the others as packages of the helpers' module.
 */
export function helperBuildArgs(names: readonly HelperName[]): string[] {
  const own = names.filter((n) => OWN_MODULES.includes(n));
  if (own.length > 0) {
    if (names.length > 1) throw new Error(`the ${own[0]} helper is built on its own`);
    return ["go", "build", "-C", own[0], "-trimpath", "-o", `${HELPERS.bin}/`, "."];
  }
  return ["go", "build", "-trimpath", "-o", `${HELPERS.bin}/`, ...names.map((n) => `./${n}`)];
}

/** Where the rootfs step finds its inputs and writes its output. */
export const ROOTFS_PATHS = {
  spec: "/go-scratch/in/rootfs.json",
  binary: "/go-scratch/in/binary",
  caBundle: "/go-scratch/in/ca-certificates.crt",
  assets: "/go-scratch/in/assets",
  out: "/go-scratch/rootfs",
} as const;

/** The probe's command line: GET `url`, succeed only on `status`. */
export function httpProbeArgs(url: string, status = 200, timeoutSeconds = 10): string[] {
  return [HELPERS.httpprobe, "-url", url, "-status", String(status), "-timeout", `${timeoutSeconds}s`];
}

/** The start check's command line: run `argv` (the image's entrypoint and arguments), watch `port`. */
export function startCheckArgs(argv: readonly string[], port: number, timeoutSeconds: number): string[] {
  return [HELPERS.startcheck, "-port", String(port), "-timeout", `${timeoutSeconds}s`, "--", ...argv];
}

/** Where the start check's binary is put in the image it checks (not in the image published). */
export const STARTCHECK_IN_IMAGE = "/go-scratch-startcheck";

/** Where the push step finds the image layout and a Docker config, and the alias of a registry reached as a service. */
export const PUSH_PATHS = { layout: "/go-scratch/in/image.tar", dockerConfig: "/go-scratch/in/docker-config.json", registryAlias: "registry" } as const;

/** Where the reproducible step reads the engine's layout and writes its own. */
export const TARBALL_PATHS = { engine: "/go-scratch/in/engine-image.tar", out: "/go-scratch/image.tar" } as const;

/** The reproducible step's command line: every creation time set to `epoch`. */
export function reproducibleArgs(epoch: number): string[] {
  return [HELPERS.reproducible, "-in", TARBALL_PATHS.engine, "-out", TARBALL_PATHS.out, "-epoch", String(validateEpoch(epoch))];
}

/** How a helper reaches the registry: another address to dial (a registry bound as a service), a mounted Docker config. */
export interface RegistryAccessArgs {
  connect?: string;
  dockerConfig?: boolean;
}

/** The registry flags the pusher and the signer share. */
function accessArgs(a: RegistryAccessArgs): string[] {
  return [...(a.connect ? ["-connect", a.connect] : []), ...(a.dockerConfig ? ["-docker-config", PUSH_PATHS.dockerConfig] : [])];
}

/** The pusher's stages: everything at once, or the content (index by digest) and then the tags, around signing. */
export type PushStage = "all" | "content" | "tags";

/**
 * The push step's command line: the layout pushed to `apiRepository` (host/path as the registry's
 * API names it) under `tags`, dialling `connect` for every connection when set, each platform's SBOM
 * attached, credentials from a Docker config when one is mounted; all of it, or one stage.
 */
export function pushArgs(
  apiRepository: string,
  tags: readonly string[],
  opts: RegistryAccessArgs & { sbomPlatforms?: readonly string[]; stage?: PushStage } = {},
): string[] {
  return [
    HELPERS.push,
    "-layout",
    PUSH_PATHS.layout,
    "-repository",
    apiRepository,
    ...tags.flatMap((t) => ["-tag", t]),
    ...(opts.sbomPlatforms ?? []).flatMap((p, i) => ["-sbom", `${p}=${sbomPath(i)}`]),
    ...(opts.stage && opts.stage !== "all" ? ["-stage", opts.stage] : []),
    ...accessArgs(opts),
  ];
}

/** Where the signing step finds the key, the predicate and the public key; the signer's password variable. */
export const SIGN_PATHS = { key: "/go-scratch/in/cosign.key", predicate: "/go-scratch/in/provenance.json", publicKey: "/go-scratch/in/cosign.pub", passwordVar: "COSIGN_PASSWORD" } as const;

/** The signer's command line: sign and attest `digest` in `apiRepository`, then verify both from the registry. */
export function signArgs(apiRepository: string, digest: string, access: RegistryAccessArgs = {}): string[] {
  return [HELPERS.sign, "sign", "-repository", apiRepository, "-digest", digest, "-key", SIGN_PATHS.key, "-predicate", SIGN_PATHS.predicate, ...accessArgs(access)];
}

/** The verifier's command line: `reference`'s signature and SLSA provenance against the public key. */
export function verifyArgs(apiReference: string, access: RegistryAccessArgs = {}): string[] {
  return [HELPERS.sign, "verify", "-reference", apiReference, "-public-key", SIGN_PATHS.publicKey, ...accessArgs(access)];
}

/** Where the push step finds the i-th platform's SBOM. */
export function sbomPath(i: number): string {
  return `/go-scratch/in/sbom-${i}.cdx.json`;
}

/** The rootfs step's command line. */
export function rootfsArgs(): string[] {
  return [HELPERS.rootfs, "-spec", ROOTFS_PATHS.spec, "-out", ROOTFS_PATHS.out];
}

/** One entry of the rootfs helper's spec (dagger/helpers/rootfs: Entry). */
export interface RootfsSpecEntry {
  path: string;
  kind: "dir" | "file" | "tree";
  mode: number;
  contents?: string;
  source?: string;
}

/** The rootfs helper's spec: the recipe's entries, each file's source at its ROOTFS_PATHS input. */
export function rootfsSpec(layout: readonly RootfsEntry[], epoch: number): { epoch: number; entries: RootfsSpecEntry[] } {
  const sources = { binary: ROOTFS_PATHS.binary, "ca-bundle": ROOTFS_PATHS.caBundle, assets: ROOTFS_PATHS.assets } as const;
  const entries = layout.map((e): RootfsSpecEntry => {
    if (e.kind === "dir") return { path: e.path, kind: "dir", mode: e.mode };
    if (e.kind === "tree") return { path: e.path, kind: "tree", mode: e.mode, source: sources[e.from] };
    if (e.from === "inline") return { path: e.path, kind: "file", mode: e.mode, contents: e.contents };
    return { path: e.path, kind: "file", mode: e.mode, source: sources[e.from] };
  });
  return { epoch: validateEpoch(epoch), entries };
}
