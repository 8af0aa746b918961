/**
 * Signing and verifying a release with the module's signer (dagger/helpers/sign, on sigstore's
 * cosign packages): a cosign key pair's private key signs the pushed index and attests its SLSA v1
 * provenance, both read back and verified with the public key before publish moves a tag; `verify`
 * checks a published reference against a public key. The key and its password reach the signer as
 * secrets (a mounted file, a secret variable): never in an image, a label, a log or an error. The
 * signer is compiled only when one of these runs, so a publish without a key costs nothing more.
 */
import type { Container, File, Secret } from "@dagger.io/dagger";

import { isExecError } from "../bundledSdk.js";
import { SIGN_PATHS, signArgs, verifyArgs } from "../recipe/helpers.js";
import { parseSignerReport, signFailureMessage, type SignFailure, type SignReport, type VerifyReport } from "../recipe/provenance.js";
import { apiRepository, type ImageReference, type Repository } from "../recipe/reference.js";
import { tail } from "../recipe/report.js";
import { helperTools } from "./helpers.js";
import { withRegistryAccess, type RegistryAccess } from "./registryAccess.js";
import type { Options, Settings } from "./settings.js";

/** What signing needs: the private key, its password, the provenance predicate to attest. */
export interface Signing {
  key: Secret;
  password?: Secret;
  predicate: Record<string, unknown>;
}

/**
 * The signer's stdout, parsed as `T`; a failure becomes one line saying what could not be
 * signed or verified, and why.
 */
async function runSigner<T>(ctr: Container, args: string[], action: "sign" | "verify", ref: string, required: readonly (keyof T & string)[]): Promise<T> {
  let stdout: string;
  try {
    // Signing writes to the registry and verifying reads what may have moved: never cached.
    stdout = await ctr.withEnvVariable("GO_SCRATCH_SIGN_NONCE", `${Date.now()}-${Math.random()}`).withExec(args).stdout();
  } catch (e) {
    if (!isExecError(e)) throw e;
    let failure: SignFailure | undefined;
    try {
      failure = JSON.parse(e.stderr.trim().split("\n").at(-1) ?? "") as SignFailure;
    } catch {
      failure = undefined;
    }
    if (!failure?.error) throw new Error(`the signer failed (exit ${e.exitCode}):\n${tail(e.stderr || e.stdout || "(no output)")}`, { cause: e });
    throw new Error(signFailureMessage(action, ref, failure), { cause: e });
  }
  return parseSignerReport<T>(stdout, required);
}

/** Signs and attests `digest` in `repository`, then verifies both from the registry. */
export async function signAndVerify(
  s: Settings,
  o: { repository: Repository; digest: string; access: RegistryAccess; signing: Signing },
): Promise<SignReport> {
  let ctr = (await helperTools(s, ["sign"]))
    .withMountedSecret(SIGN_PATHS.key, o.signing.key)
    .withNewFile(SIGN_PATHS.predicate, JSON.stringify(o.signing.predicate, null, 2));
  ctr = o.signing.password ? ctr.withSecretVariable(SIGN_PATHS.passwordVar, o.signing.password) : ctr.withEnvVariable(SIGN_PATHS.passwordVar, "");
  const { ctr: signer, args } = withRegistryAccess(ctr, o.access, o.repository);
  const ref = `${o.repository.name}@${o.digest}`;
  const report = await runSigner<SignReport>(signer, signArgs(apiRepository(o.repository), o.digest, args), "sign", ref, ["digest", "signature", "attestation", "verified", "keyId"]);
  if (report.verified !== true || report.digest !== o.digest) throw new Error(`could not sign ${ref}, so no tag was pushed: the signer did not verify what it signed`);
  return report;
}

/** Verifies `reference`'s signature and SLSA provenance with `publicKey`. */
export async function verifyReference(s: Options, reference: ImageReference, publicKey: File, access: RegistryAccess): Promise<VerifyReport> {
  const ctr = (await helperTools(s, ["sign"])).withMountedFile(SIGN_PATHS.publicKey, publicKey);
  const { ctr: verifier, args } = withRegistryAccess(ctr, access, reference.repository);
  const ref = `${reference.repository.name}${reference.suffix}`;
  return runSigner<VerifyReport>(verifier, verifyArgs(`${apiRepository(reference.repository)}${reference.suffix}`, args), "verify", ref, ["digest", "keyId", "signatures", "attestations"]);
}
