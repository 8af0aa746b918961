import { connection, dag } from "@dagger.io/dagger";
import { GoScratch } from "../dagger/src/index.js";
await connection(async () => {
  const gs = new GoScratch(dag.host().directory("service"), undefined, "v1.2.3", undefined, undefined, undefined, process.env.GO_SCRATCH_GOLANG_IMAGE, 1700000000);
  const a = await gs.build("linux/amd64"); const b = await gs.build("linux/arm64");
  await dag.container().asTarball({ platformVariants: [a, b] }).export("/tmp/p2/multi.tar");
  await dag.container().asTarball({ platformVariants: [a] }).export("/tmp/p2/one.tar");
});
