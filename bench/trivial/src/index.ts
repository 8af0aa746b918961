/**
 * trivial: the floor of a TypeScript module's `dagger call`, for the bench. One function returning
 * a Container, the engine's default runtime (node) and cache policy: a repeated call is answered
 * from the function cache without starting the runtime; a new --stamp runs the constructor and the
 * function, two runtime starts.
 */
import { dag, func, object, type Container } from "@dagger.io/dagger";

@object()
export class Trivial {
  readonly stamp: string;

  constructor(
    /** Any value; a new one makes the engine run the constructor (and then the function) again. */
    stamp: string = "",
  ) {
    this.stamp = stamp;
  }

  /** An empty container carrying the stamp. */
  @func()
  container(): Container {
    return dag.container().withEnvVariable("STAMP", this.stamp);
  }
}
