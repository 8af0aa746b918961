/**
 * A throwaway OCI distribution registry on 127.0.0.1 for the suites, with or without htpasswd auth:
 * Debian's `docker-registry` (the distribution project's binary) when it is on PATH, otherwise the
 * registry:2 image (GitHub's runners can pull it). Plus the read side of the registry API.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { freePort, httpStatus, lastLines, minutes, runCommand, startBackground, waitFor } from "./commands.js";
import { dockerAvailable, toolAvailable, type Availability } from "./requirements.js";

/** Whether a registry can be started here: Debian's docker-registry, or Docker to run registry:2. */
export function registryAvailable(): Availability {
  if (toolAvailable("docker-registry", ["--version"]).ok) return { ok: true, reason: "" };
  const docker = dockerAvailable();
  return docker.ok ? docker : { ok: false, reason: `neither docker-registry nor Docker is available (${docker.reason})` };
}

/** A user the registry accepts (htpasswd, bcrypt). */
export interface RegistryUser {
  username: string;
  password: string;
}

/** Token authentication (distribution's `auth: token`): where clients get tokens, and whose. */
export interface TokenAuth {
  realm: string;
  service: string;
  issuer: string;
  /** PEM file of the certificate whose key signs the tokens. */
  rootCertBundle: string;
}

/** A throwaway OCI distribution registry on 127.0.0.1, plain HTTP. */
export interface LocalRegistry {
  port: number;
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** How it runs, for messages: "docker-registry" or "registry:2 container <id>". */
  how: string;
  stop(): Promise<void>;
}

/**
 * Starts a registry on a free 127.0.0.1 port and waits until `/v2/` answers 200: Debian's
 * `docker-registry` (the distribution project's binary) with a temp config when it is on PATH,
 * otherwise `docker run registry:2` published on 127.0.0.1 only.
 */
export async function startRegistry(opts: { user?: RegistryUser; token?: TokenAuth; port?: number } = {}): Promise<LocalRegistry> {
  const port = opts.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  let registry: LocalRegistry;
  if (toolAvailable("docker-registry", ["--version"]).ok) {
    const dir = mkdtempSync(join(tmpdir(), "go-scratch-registry-"));
    mkdirSync(join(dir, "data"));
    const config = join(dir, "config.yml");
    writeFileSync(
      config,
      [
        "version: 0.1",
        "log:",
        "  level: warn",
        "storage:",
        "  filesystem:",
        `    rootdirectory: ${join(dir, "data")}`,
        "  delete:",
        "    enabled: true",
        "http:",
        `  addr: 127.0.0.1:${port}`,
        ...(opts.user ? ["auth:", "  htpasswd:", "    realm: go-scratch-test", `    path: ${join(dir, "htpasswd")}`] : []),
        ...(opts.token
          ? ["auth:", "  token:", `    realm: ${opts.token.realm}`, `    service: ${opts.token.service}`, `    issuer: ${opts.token.issuer}`, `    rootcertbundle: ${opts.token.rootCertBundle}`]
          : []),
        "",
      ].join("\n"),
    );
    if (opts.user) {
      // bcrypt, the only scheme the registry's htpasswd accepts.
      const line = execFileSync("htpasswd", ["-Bbn", opts.user.username, opts.user.password], { encoding: "utf8" });
      writeFileSync(join(dir, "htpasswd"), line.trim() + "\n");
    }
    const bg = startBackground("docker-registry", ["serve", config], { cwd: dir });
    registry = {
      port,
      url,
      how: "docker-registry",
      async stop() {
        await bg.stop(10_000);
        rmSync(dir, { recursive: true, force: true });
      },
    };
    const up = async () => [200, 401].includes(await httpStatus(`${url}/v2/`)) || bg.exited();
    if (!(await waitFor(up, 30_000, 200)) || bg.exited()) {
      await registry.stop();
      throw new Error(`docker-registry did not start on ${url}:\n${lastLines(bg.output())}`);
    }
  } else {
    if (opts.user || opts.token) throw new Error("a registry with auth needs Debian's docker-registry (apt-get install docker-registry apache2-utils)");
    const r = await runCommand("docker", ["run", "-d", "--rm", "-p", `127.0.0.1:${port}:5000`, "registry:2"], { timeoutMs: minutes(5) });
    if (r.code !== 0) throw new Error(`\`${r.command}\` exited ${r.code}:\n${lastLines(r.stderr)}`);
    const id = r.stdout.trim();
    registry = {
      port,
      url,
      how: `registry:2 container ${id.slice(0, 12)}`,
      async stop() {
        await runCommand("docker", ["rm", "-f", id], { timeoutMs: 60_000 });
      },
    };
    if (!(await waitFor(async () => (await httpStatus(`${url}/v2/`)) === 200, 60_000, 500))) {
      const logs = await runCommand("docker", ["logs", id], { timeoutMs: 30_000 });
      await registry.stop();
      throw new Error(`registry:2 did not answer on ${url}/v2/:\n${lastLines(logs.stdout + logs.stderr)}`);
    }
  }
  return registry;
}

/** Accept header for a tag that may point at an index or at a single manifest, OCI or Docker. */
const MANIFEST_ACCEPT = [
  "application/vnd.oci.image.index.v1+json",
  "application/vnd.docker.distribution.manifest.list.v2+json",
  "application/vnd.oci.image.manifest.v1+json",
  "application/vnd.docker.distribution.manifest.v2+json",
].join(", ");

/** The digest `repo:tag` resolves to (Docker-Content-Digest of GET /v2/<repo>/manifests/<tag>), and its media type. */
export async function manifestDigest(
  registryUrl: string,
  repo: string,
  tag: string,
  user?: RegistryUser,
): Promise<{ digest: string; mediaType: string }> {
  const res = await fetch(`${registryUrl}/v2/${repo}/manifests/${encodeURIComponent(tag)}`, {
    headers: { Accept: MANIFEST_ACCEPT, ...basicAuth(user) },
    signal: AbortSignal.timeout(30_000),
  });
  const body = await res.text();
  if (res.status !== 200) throw new Error(`GET ${repo}:${tag} manifest: HTTP ${res.status}: ${body.slice(0, 300)}`);
  const digest = res.headers.get("docker-content-digest") ?? "";
  return { digest, mediaType: res.headers.get("content-type") ?? "" };
}

/** The manifest (or index) `repo:ref` as JSON, with its digest and media type. */
export async function getManifest<T>(
  registryUrl: string,
  repo: string,
  ref: string,
  user?: RegistryUser,
): Promise<{ digest: string; mediaType: string; body: T }> {
  const res = await fetch(`${registryUrl}/v2/${repo}/manifests/${encodeURIComponent(ref)}`, {
    headers: { Accept: MANIFEST_ACCEPT, ...basicAuth(user) },
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`GET ${repo}:${ref} manifest: HTTP ${res.status}: ${text.slice(0, 300)}`);
  return {
    digest: res.headers.get("docker-content-digest") ?? "",
    mediaType: res.headers.get("content-type") ?? "",
    body: JSON.parse(text) as T,
  };
}

/** A blob of `repo` as JSON (an image config). */
export async function getBlob<T>(registryUrl: string, repo: string, digest: string, user?: RegistryUser): Promise<T> {
  const res = await fetch(`${registryUrl}/v2/${repo}/blobs/${digest}`, { headers: basicAuth(user), signal: AbortSignal.timeout(30_000) });
  if (res.status !== 200) throw new Error(`GET ${repo} blob ${digest}: HTTP ${res.status}`);
  return (await res.json()) as T;
}

/** The tags of `repo` (empty when the repository does not exist). */
export async function listTags(registryUrl: string, repo: string, user?: RegistryUser): Promise<string[]> {
  const res = await fetch(`${registryUrl}/v2/${repo}/tags/list`, { headers: basicAuth(user), signal: AbortSignal.timeout(30_000) });
  if (res.status === 404) return [];
  if (res.status !== 200) throw new Error(`GET ${repo} tags: HTTP ${res.status}`);
  const body = (await res.json()) as { tags?: string[] | null };
  return [...(body.tags ?? [])].sort();
}

/** The repositories the registry holds. */
export async function catalog(registryUrl: string, user?: RegistryUser): Promise<string[]> {
  const res = await fetch(`${registryUrl}/v2/_catalog`, { headers: basicAuth(user), signal: AbortSignal.timeout(30_000) });
  if (res.status !== 200) throw new Error(`GET /v2/_catalog: HTTP ${res.status}`);
  const body = (await res.json()) as { repositories?: string[] | null };
  return [...(body.repositories ?? [])].sort();
}

/** The Authorization header for `user`, or none. */
function basicAuth(user?: RegistryUser): Record<string, string> {
  if (!user) return {};
  return { Authorization: `Basic ${Buffer.from(`${user.username}:${user.password}`).toString("base64")}` };
}
