// The Go half of `npm test`: gofmt, go vet and go test -race for every Go module of the project
// (the reference service, the module's Go helpers, the registry access its pusher and signer
// share, the pusher, the signer and the test fixtures). Prints each command before it runs it.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const fixtures = join(root, "test", "fixtures");
const modules = [
  join(root, "service"),
  join(root, "dagger", "helpers"),
  join(root, "dagger", "helpers", "registryaccess"),
  join(root, "dagger", "helpers", "push"),
  join(root, "dagger", "helpers", "sign"),
  ...(existsSync(fixtures) ? readdirSync(fixtures).map((d) => join(fixtures, d)) : []),
].filter((dir) => existsSync(join(dir, "go.mod")));

// Fixtures that exist for their go vet findings (the module's test must fail on them, then pass
// with --vet=false): every other check runs on them, go vet does not.
const vetFindings = new Set([join(fixtures, "vetfinding")]);

// The signer's tests run without -race: they are sequential, and a race build of sigstore's
// dependency tree (some 680 packages) costs about four minutes on two cores, every CI run.
const withoutRace = new Set([join(root, "dagger", "helpers", "sign")]);

function run(cwd, cmd, args) {
  console.log(`$ (cd ${cwd.slice(root.length)} && ${cmd} ${args.join(" ")})`);
  return execFileSync(cmd, args, { cwd, stdio: ["ignore", "pipe", "inherit"], encoding: "utf8" });
}

for (const dir of modules) {
  const unformatted = run(dir, "gofmt", ["-l", "."]).trim();
  if (unformatted !== "") {
    console.error(`gofmt: these files need formatting:\n${unformatted}`);
    process.exit(1);
  }
  if (!vetFindings.has(dir)) process.stdout.write(run(dir, "go", ["vet", "./..."]));
  process.stdout.write(run(dir, "go", ["test", ...(withoutRace.has(dir) ? [] : ["-race"]), "-count=1", "./..."]));
}
