/**
 * The SLSA v1 provenance `publish` attests for the index it pushes, and what the signer
 * (dagger/helpers/sign) reports. No Dagger import: the module and the tests share this file. No
 * time is written into the predicate (SLSA's startedOn/finishedOn are optional): the same release
 * gives the same statement.
 */
import { ldflags, type GoBuildOptions } from "./goBuild.js";

/** This module, as the builder the provenance names (bump with package.json's version). */
export const MODULE = { name: "go-scratch", version: "0.1.0" } as const;

export const PROVENANCE = {
  predicateType: "https://slsa.dev/provenance/v1",
  /** What the build was: this module's publish, its parameters as externalParameters below. */
  buildType: "https://goscratch.example/buildtypes/publish/v1",
  /** Who built it: this module at its version. */
  builderId: `https://goscratch.example/${MODULE.name}@v${MODULE.version}`,
} as const;

/** What the provenance says about one publish. */
export interface ProvenanceFacts {
  /** The source directory's content digest, as the engine gives it (sha256:…). */
  sourceDigest: string;
  /** --revision (e.g. the git commit), and --source-url when given. */
  revision: string;
  sourceUrl?: string;
  /** The build: package, platforms, the -ldflags and -tags of the go build. */
  build: GoBuildOptions & { platforms: readonly string[] };
  /** The golang image the service was built in (as resolved by the engine, with its digest), or --toolchain. */
  toolchain: string;
  /** The image repository and tags published. */
  repository: string;
  tags: readonly string[];
}

/** `sha256:<hex>` as an in-toto DigestSet ({ sha256: hex }), or undefined for anything else. */
function digestSet(ref: string): Record<string, string> | undefined {
  const m = /sha256:([0-9a-f]{64})/.exec(ref);
  return m ? { sha256: m[1] } : undefined;
}

/** The SLSA v1 provenance predicate (https://slsa.dev/spec/v1.0/provenance) of one publish. */
export function provenancePredicate(f: ProvenanceFacts): Record<string, unknown> {
  const buildTags = f.build.tzdata ? ["timetzdata"] : [];
  const toolchainDigest = digestSet(f.toolchain);
  const sourceDigest = digestSet(f.sourceDigest);
  return {
    buildDefinition: {
      buildType: PROVENANCE.buildType,
      externalParameters: {
        source: { ...(f.sourceUrl ? { url: f.sourceUrl } : {}), revision: f.revision, ...(sourceDigest ? { digest: sourceDigest } : {}) },
        package: f.build.pkg ?? ".",
        platforms: [...f.build.platforms],
        ldflags: ldflags(f.build),
        tags: buildTags,
        trimpath: true,
        cgo: false,
        repository: f.repository,
        imageTags: [...f.tags],
      },
      resolvedDependencies: [
        { name: "source", uri: f.sourceUrl ? `${f.sourceUrl}@${f.revision}` : `source@${f.revision}`, ...(sourceDigest ? { digest: sourceDigest } : {}) },
        { name: "toolchain", uri: `oci://${f.toolchain}`, ...(toolchainDigest ? { digest: toolchainDigest } : {}) },
      ],
    },
    runDetails: {
      builder: { id: PROVENANCE.builderId, version: { [MODULE.name]: MODULE.version } },
      metadata: {},
    },
  };
}

/** What the signer reports after signing, attesting and verifying (dagger/helpers/sign). */
export interface SignReport {
  digest: string;
  signature: string;
  attestation: string;
  verified: boolean;
  keyId: string;
  predicateType: string;
}

/** What the signer reports after verifying a published reference. */
export interface VerifyReport {
  reference: string;
  digest: string;
  keyId: string;
  signatures: number;
  attestations: number;
  provenance?: {
    builder?: string;
    buildType?: string;
    externalParameters?: Record<string, unknown>;
    resolvedDependencies?: { name?: string; uri?: string; digest?: Record<string, string> }[];
  };
}

/** The signer's failure line. */
export interface SignFailure {
  error: string;
  kind: string;
}

/** Parses the signer's stdout as `T`, after checking the fields `required` are there; throws otherwise. */
export function parseSignerReport<T>(stdout: string, required: readonly (keyof T & string)[]): T {
  let r: Record<string, unknown>;
  try {
    r = JSON.parse(stdout) as Record<string, unknown>;
  } catch {
    throw new Error(`the signer printed no report: ${stdout.slice(0, 300)}`);
  }
  const missing = required.filter((k) => r[k] === undefined);
  if (missing.length > 0) throw new Error(`the signer's report lacks ${missing.join(", ")}: ${stdout.slice(0, 300)}`);
  return r as T;
}

/** The lines `publish` adds for a signed release: where the signature and the provenance are, and the key. */
export function signedLines(r: SignReport): string[] {
  return [`signed ${r.digest} with key ${r.keyId}: signature ${r.signature}`, `provenance (${r.predicateType}, signed): ${r.attestation}`];
}

/** What `verify` prints: what was verified, with which key, and what the provenance says. */
export function verifiedLines(r: VerifyReport): string[] {
  const p = r.provenance;
  const source = p?.externalParameters?.source as { url?: string; revision?: string; digest?: { sha256?: string } } | undefined;
  const toolchain = p?.resolvedDependencies?.find((d) => d.name === "toolchain");
  return [
    `verified ${r.reference} = ${r.digest}: ${r.signatures} signature(s) and ${r.attestations} SLSA v1 provenance attestation(s) with key ${r.keyId}`,
    ...(p
      ? [
          `  builder ${p.builder ?? "?"} (${p.buildType ?? "?"})`,
          `  source ${source?.url ?? "(no url)"} at ${source?.revision ?? "?"}${source?.digest?.sha256 ? `, content sha256:${source.digest.sha256}` : ""}`,
          `  toolchain ${toolchain?.uri?.replace(/^oci:\/\//, "") ?? "?"}`,
          `  platforms ${((p.externalParameters?.platforms as string[] | undefined) ?? []).join(", ")}; ldflags ${String(p.externalParameters?.ldflags ?? "")}`,
        ]
      : []),
  ];
}

/** One line for a signer failure, with what to do where the module knows. */
export function signFailureMessage(action: "sign" | "verify", ref: string, f: SignFailure): string {
  const what = action === "sign" ? `could not sign ${ref}, so no tag was pushed` : `${ref} did not verify`;
  switch (f.kind) {
    case "key":
      return `${what}: ${f.error} (--signing-key takes cosign.key from cosign generate-key-pair, --signing-password its password)`;
    case "unsigned":
    case "invalid-signature":
      return `${what}: ${f.error}`;
    default:
      return `${what}: ${f.error} (${f.kind})`;
  }
}
