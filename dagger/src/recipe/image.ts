/**
 * The scratch runtime: every file the image holds, and its configuration (user, entrypoint, port,
 * health check, labels). No Dagger import: the module realises this with Dagger, the tests with a
 * container engine from Debian, both from these same values.
 */

/** The unprivileged user and group the service runs as (the distroless convention). */
export const NONROOT = { uid: 65532, gid: 65532, name: "nonroot" } as const;

/** Where the CA bundle lives: Go's crypto/x509 reads this path on Linux. */
export const CA_BUNDLE_PATH = "/etc/ssl/certs/ca-certificates.crt";

/** Where optional extra assets are copied, read-only. */
export const ASSETS_PATH = "/assets";

/** `/etc/passwd`: root, and the non-root user; no login shell exists in the image. */
export function passwdContents(): string {
  return [
    "root:x:0:0:root:/root:/sbin/nologin",
    `${NONROOT.name}:x:${NONROOT.uid}:${NONROOT.gid}:${NONROOT.name}:/home/${NONROOT.name}:/sbin/nologin`,
    "",
  ].join("\n");
}

/** `/etc/group`: root, and the non-root user's group. */
export function groupContents(): string {
  return ["root:x:0:", `${NONROOT.name}:x:${NONROOT.gid}:`, ""].join("\n");
}

/** What the runtime image is made of. */
export interface RuntimeOptions {
  /** The binary's file name under /usr/local/bin. */
  binaryName?: string;
  /** The port the service listens on (EXPOSE, and PORT in the environment). */
  port?: number;
  /** Add a Docker HEALTHCHECK running `<binary> healthcheck`. */
  healthcheck?: boolean;
  /** Extra assets are copied to ASSETS_PATH. */
  assets?: boolean;
  /** More environment variables, `NAME=value` (validated by parseEnv). */
  env?: readonly string[];
  /** Default arguments to the entrypoint (the image's CMD). */
  args?: readonly string[];
  /** Seconds since the Unix epoch: every file's timestamp and the `created` label. */
  sourceDateEpoch?: number;
  /** OCI metadata. */
  title?: string;
  version?: string;
  revision?: string;
  source?: string;
  description?: string;
}

export const RUNTIME_DEFAULTS = {
  binaryName: "app",
  port: 8080,
  healthcheck: true,
  sourceDateEpoch: 0,
  title: "go-scratch service",
} as const;

/** One entry of the image's file system, owned by root. */
export type RootfsEntry =
  | { kind: "dir"; path: string; mode: number }
  | { kind: "file"; path: string; mode: number; from: "binary" | "ca-bundle" }
  | { kind: "file"; path: string; mode: number; from: "inline"; contents: string }
  | { kind: "tree"; path: string; mode: number; from: "assets" };

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Validates the binary name; it becomes a path in the image. */
export function binaryPath(binaryName: string = RUNTIME_DEFAULTS.binaryName): string {
  if (!NAME.test(binaryName)) {
    throw new Error(`invalid binary name ${JSON.stringify(binaryName)}: use letters, digits, . _ - (at most 64)`);
  }
  return `/usr/local/bin/${binaryName}`;
}

/** Validates a TCP port. */
export function validatePort(port: number): number {
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`invalid port ${port}: expected an integer from 1 to 65535`);
  }
  return port;
}

/**
 * Validates the port the service listens on inside the image: it runs as the non-root user, so a
 * port below 1024 could not be bound (Dagger's engine, Kubernetes and a capability-free `docker run`
 * all refuse); the error says what to do instead.
 */
export function validateServicePort(port: number): number {
  validatePort(port);
  if (port < 1024) {
    throw new Error(
      `port ${port} is privileged (below 1024) and the image runs as the non-root user ${NONROOT.uid}, which cannot bind it: ` +
        `let the service listen on an unprivileged port (--port 8080) and map it where it runs, e.g. docker run -p ${port}:8080`,
    );
  }
  return port;
}

/** Names that look like they hold a secret, which must not be baked into an image's environment. */
const SECRET_NAME = /(TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|API_?KEY|PRIVATE_?KEY|ACCESS_?KEY)/i;
/** An environment variable name. */
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Variables the module sets itself. */
const RESERVED_ENV = ["PORT"];

/**
 * Validates `NAME=value` entries for the image's environment and returns them as a record. A name
 * that looks like a secret is refused: anyone who can pull the image can read its environment.
 */
export function parseEnv(entries: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of entries) {
    const eq = entry.indexOf("=");
    const name = eq < 0 ? entry : entry.slice(0, eq);
    if (eq < 0 || !ENV_NAME.test(name)) {
      throw new Error(`invalid environment variable ${JSON.stringify(entry)}: expected NAME=value, e.g. --env LOG_LEVEL=info`);
    }
    if (RESERVED_ENV.includes(name)) throw new Error(`--env ${name}: the module sets ${name} itself; use --port`);
    if (SECRET_NAME.test(name)) {
      throw new Error(
        `--env ${name}: this looks like a secret, and an image's environment is readable by anyone who can pull it; ` +
          "give secrets to the running container instead (docker run -e, a Kubernetes Secret)",
      );
    }
    if (name in out) throw new Error(`--env ${name} is given twice`);
    out[name] = entry.slice(eq + 1);
  }
  return out;
}

/** Validates a timestamp in seconds since the epoch. */
export function validateEpoch(epoch: number): number {
  if (!Number.isInteger(epoch) || epoch < 0 || epoch > 253402300799) {
    throw new Error(`invalid source date epoch ${epoch}: expected whole seconds since 1970 (e.g. git log -1 --format=%ct)`);
  }
  return epoch;
}

/**
 * Every file and directory of the image, parents first: nothing else goes in.
 * The binary is 0555 and root-owned, so the non-root user can run it but not replace it.
 */
export function rootfsLayout(opts: RuntimeOptions = {}): RootfsEntry[] {
  const bin = binaryPath(opts.binaryName);
  const entries: RootfsEntry[] = [
    { kind: "dir", path: "/etc", mode: 0o755 },
    { kind: "file", path: "/etc/passwd", mode: 0o444, from: "inline", contents: passwdContents() },
    { kind: "file", path: "/etc/group", mode: 0o444, from: "inline", contents: groupContents() },
    { kind: "dir", path: "/etc/ssl", mode: 0o755 },
    { kind: "dir", path: "/etc/ssl/certs", mode: 0o755 },
    { kind: "file", path: CA_BUNDLE_PATH, mode: 0o444, from: "ca-bundle" },
    { kind: "dir", path: "/tmp", mode: 0o1777 },
    { kind: "dir", path: "/usr", mode: 0o755 },
    { kind: "dir", path: "/usr/local", mode: 0o755 },
    { kind: "dir", path: "/usr/local/bin", mode: 0o755 },
    { kind: "file", path: bin, mode: 0o555, from: "binary" },
  ];
  if (opts.assets) entries.push({ kind: "tree", path: ASSETS_PATH, mode: 0o444, from: "assets" });
  return entries;
}

/** The Docker health check: exec form, run by the binary itself (scratch has no shell or curl). */
export interface HealthcheckSpec {
  args: string[];
  interval: string;
  timeout: string;
  startPeriod: string;
  startInterval: string;
  retries: number;
}

/** The image configuration. */
export interface ImageConfig {
  user: string;
  entrypoint: string[];
  cmd: string[];
  workdir: string;
  env: Record<string, string>;
  exposedPorts: number[];
  healthcheck?: HealthcheckSpec;
  labels: Record<string, string>;
}

/** RFC 3339 time of an epoch in seconds, e.g. 0 → 1970-01-01T00:00:00Z. */
export function rfc3339(epoch: number): string {
  return new Date(validateEpoch(epoch) * 1000).toISOString().replace(/\.000Z$/, "Z");
}

/** OCI labels (also used as manifest annotations); `created` comes from the epoch, never the clock. */
export function ociLabels(opts: RuntimeOptions = {}): Record<string, string> {
  const labels: Record<string, string> = {
    "org.opencontainers.image.title": opts.title ?? RUNTIME_DEFAULTS.title,
    "org.opencontainers.image.version": opts.version ?? "dev",
    "org.opencontainers.image.revision": opts.revision ?? "unknown",
    "org.opencontainers.image.created": rfc3339(opts.sourceDateEpoch ?? RUNTIME_DEFAULTS.sourceDateEpoch),
    "org.opencontainers.image.base.name": "scratch",
  };
  if (opts.source) labels["org.opencontainers.image.source"] = opts.source;
  if (opts.description) labels["org.opencontainers.image.description"] = opts.description;
  return labels;
}

/** The full image configuration for a runtime built with `opts`. */
export function imageConfig(opts: RuntimeOptions = {}): ImageConfig {
  const bin = binaryPath(opts.binaryName);
  const port = validateServicePort(opts.port ?? RUNTIME_DEFAULTS.port);
  const config: ImageConfig = {
    user: `${NONROOT.uid}:${NONROOT.gid}`,
    entrypoint: [bin],
    cmd: [...(opts.args ?? [])],
    workdir: "/",
    env: { ...parseEnv(opts.env ?? []), PORT: String(port) },
    exposedPorts: [port],
    labels: ociLabels(opts),
  };
  if (opts.healthcheck ?? RUNTIME_DEFAULTS.healthcheck) {
    config.healthcheck = {
      args: [bin, "healthcheck"],
      interval: "10s",
      timeout: "3s",
      startPeriod: "10s",
      startInterval: "1s",
      retries: 3,
    };
  }
  return config;
}
