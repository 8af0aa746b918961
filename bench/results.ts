/** Everything one run measured: what bench/results.json holds and the report and chart read. */
import type { Artefacts } from "./engine/artefacts.js";
import type { ColdResult } from "./engine/cold.js";
import type { ConnectResult } from "./engine/connectTimes.js";
import type { WarmResult } from "./engine/warm.js";
import type { KoResult } from "./ko.js";
import type { LoadResult } from "./load.js";
import type { Machine } from "./machine.js";
import type { ShutdownResult } from "./shutdown.js";
import type { StartupResult } from "./startup.js";
import type { Target } from "./targets.js";
import type { WholeProcessResult } from "./wholeProcess.js";

export interface Results {
  machine: Machine;
  /** Whole run, seconds (filled in just before writing). */
  totalSeconds: number;
  /** Seconds each part took. */
  steps: Record<string, number>;
  /** The one-line edit, with <n> for its number. */
  editLine: string;
  connect: ConnectResult;
  cold: ColdResult;
  warm: WarmResult;
  /** ko and BuildKit beside the module: publish after an edit, with no change, two platforms, cold. */
  ko: KoResult;
  /** The module as whole `dagger call` processes beside its floors. */
  whole: WholeProcessResult;
  image: Artefacts["image"];
  startup: StartupResult;
  load: LoadResult;
  shutdown: ShutdownResult;
  targets: Target[];
  /** Exact commands by report section. */
  commands: Record<string, string[]>;
}
