/** Everything one run measured: what bench/results.json holds and the report and chart read. */
import type { BuildSpeedRow } from "./buildSpeed.js";
import type { EngineReproducibilityResult } from "./engineReproducibility.js";
import type { LoadResult } from "./load.js";
import type { Machine } from "./machine.js";
import type { ReproducibilityResult } from "./reproducibility.js";
import type { ShutdownResult } from "./shutdown.js";
import type { SizeResult } from "./size.js";
import type { StartupResult } from "./startup.js";
import type { Target } from "./targets.js";

export interface Results {
  machine: Machine;
  /** Whole run, seconds (filled in just before writing). */
  totalSeconds: number;
  buildSpeed: { rows: BuildSpeedRow[]; editLine: string; cgoDefault: string };
  size: SizeResult;
  reproducibility: ReproducibilityResult;
  /** Two builds on two freshly wiped engines (absent where the engine tool is not there). */
  engineReproducibility?: EngineReproducibilityResult;
  startup: StartupResult;
  load: LoadResult;
  shutdown: ShutdownResult;
  targets: Target[];
  /** Exact commands by report section. */
  commands: Record<string, string[]>;
}
