/**
 * The one-line edit the warm figures use: a package-level variable appended to the service's
 * main.go, initialised from the environment, so the binary really changes (an unused constant
 * would compile away) and its tests still pass. The module's checkout and the raw one get the
 * same line.
 */
import { appendFileSync } from "node:fs";
import { join } from "node:path";

let edits = 0;

/** The edit's line, with <n> for its number, for the report. */
export const EDIT_LINE = 'var benchEdit<n> = os.Getenv("GO_SCRATCH_BENCH_EDIT_<n>")';

/** Appends the next edit to `<dir>/main.go` (which imports os) in every directory given. */
export function editService(...dirs: string[]): void {
  edits++;
  const line = EDIT_LINE.replaceAll("<n>", String(edits));
  for (const dir of dirs) appendFileSync(join(dir, "main.go"), `\n${line}\n`);
}
