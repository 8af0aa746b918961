/**
 * A whole process as a user's script has it (`tsx bench/engine/connect.ts`): the module's code
 * imported, a session opened, one answer from the engine. With `--no-connect` the same process
 * without the session: the baseline. Prints one JSON line.
 */
import { connection, dag } from "@dagger.io/dagger";

import "../../dagger/src/index.js";

const t0 = performance.now();
let connectMs = 0;
if (process.argv[2] !== "--no-connect") {
  await connection(async () => {
    await dag.version();
    connectMs = performance.now() - t0;
  });
}
console.log(JSON.stringify({ connectMs }));
