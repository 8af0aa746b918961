/**
 * A validator for CycloneDX 1.5 JSON, built from the schema files CycloneDX publishes with its Go
 * library (github.com/CycloneDX/cyclonedx-go, fetched with `go mod download`, not kept here) and ajv.
 */
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";

import { Ajv, type ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";

import { sh } from "./commands.js";

/** The cyclonedx-go version whose schema directory holds bom-1.5.schema.json. */
const CYCLONEDX_GO = "github.com/CycloneDX/cyclonedx-go@v0.9.3";

/** Compiles the CycloneDX 1.5 JSON schema (with the SPDX and JSF schemas it refers to). */
export async function cyclonedx15(): Promise<ValidateFunction> {
  const { Dir } = JSON.parse(await sh("go", ["mod", "download", "-json", CYCLONEDX_GO])) as { Dir: string };
  const dir = join(Dir, "schema");
  // ajv-formats is CommonJS; its default export arrives wrapped under ESM.
  type AddFormats = (ajv: Ajv) => Ajv;
  const mod = addFormatsModule as unknown as AddFormats & { default?: AddFormats };
  const addFormats: AddFormats = mod.default ?? mod;
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  for (const f of readdirSync(dir).filter((n) => /^(spdx|jsf).*\.json$/.test(n))) {
    ajv.addSchema(JSON.parse(readFileSync(join(dir, f), "utf8")) as object);
  }
  return ajv.compile(JSON.parse(readFileSync(join(dir, "bom-1.5.schema.json"), "utf8")) as object);
}
