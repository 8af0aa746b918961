/**
 * Engine suite: `dagger call publish` pushes one index as v1.0.0 and latest to a registry on this
 * machine (reached through --registry-service), the registry serves both tags at the digest the
 * command printed, and an invalid tag fails before anything is pushed.
 * Runs only where the dagger CLI is on PATH; REQUIRE_DAGGER=1 makes its absence a failure.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { dagger, daggerOk } from "../support/dagger.js";
import { lastLines, minutes } from "../support/commands.js";
import {
  catalog,
  listTags,
  manifestDigest,
  registryAvailable,
  startRegistry,
  type LocalRegistry,
} from "../support/registry.js";
import { requireOrSkip, toolAvailable } from "../support/requirements.js";

const run = requireOrSkip("engine: publish", [toolAvailable("dagger", ["version"]), registryAvailable()], "REQUIRE_DAGGER");

const REPO = "go-scratch";

describe.skipIf(!run)("engine: dagger call publish", () => {
  let registry: LocalRegistry;
  /** The arguments that point publish at the local registry. */
  const target = (): string[] => [
    `--repository=localhost:${registry.port}/${REPO}`,
    `--registry-service=tcp://localhost:${registry.port}`,
    "--platforms=linux/amd64",
  ];

  beforeAll(async () => {
    registry = await startRegistry();
  }, minutes(6));
  afterAll(async () => {
    await registry?.stop();
  }, minutes(2));

  it(
    "pushes v1.0.0 and latest as one digest, and the registry serves both at that digest",
    async () => {
      const out = await daggerOk(["call", "publish", "--tag=v1.0.0", ...target()], minutes(20));
      const lines = out.trim().split("\n").map((l) => l.trim()).filter((l) => l !== "");
      expect(lines, `publish should print one reference per tag:\n${out}`).toHaveLength(2);
      const ref = /^(?<repo>\S+):(?<tag>[^:@\s]+)@(?<digest>sha256:[0-9a-f]{64})$/;
      const parsed = lines.map((l) => {
        const m = ref.exec(l);
        expect(m, `"${l}" is not <repository>:<tag>@sha256:<digest>`).not.toBeNull();
        return m!.groups!;
      });
      expect(parsed.map((p) => p.tag), "the release tag first, then latest").toEqual(["v1.0.0", "latest"]);
      expect(parsed[1].digest, "both tags should name the same index").toBe(parsed[0].digest);
      expect(parsed[0].repo).toBe(`localhost:${registry.port}/${REPO}`);

      const digest = parsed[0].digest;
      for (const tag of ["v1.0.0", "latest"]) {
        const m = await manifestDigest(registry.url, REPO, tag);
        expect(m.digest, `${REPO}:${tag} in the registry (${registry.how}) should resolve to the printed digest`).toBe(digest);
      }
      expect(await listTags(registry.url, REPO)).toEqual(["latest", "v1.0.0"]);
    },
    minutes(25),
  );

  it(
    "refuses an invalid tag quickly and pushes nothing",
    async () => {
      const before = { repos: await catalog(registry.url), tags: await listTags(registry.url, REPO) };
      const r = await dagger(["call", "publish", "--tag", "bad tag", ...target()], minutes(10));
      expect(r.code, `publish --tag "bad tag" should fail; it printed:\n${lastLines(r.stdout)}`).not.toBe(0);
      expect(r.signal, "it should fail by itself, not by the time limit").toBeNull();
      expect(`${r.stdout}\n${r.stderr}`, `the error should quote the tag:\n${lastLines(r.stderr, 60)}`).toContain('invalid tag "bad tag"');
      // The module is loaded and cached by the publish above: validation fails before any test or build.
      expect(r.ms, "an invalid tag should fail before anything is tested or built").toBeLessThan(minutes(3));
      expect(await catalog(registry.url), "the registry's repositories changed").toEqual(before.repos);
      expect(await listTags(registry.url, REPO), "the repository's tags changed").toEqual(before.tags);
    },
    minutes(12),
  );
});
