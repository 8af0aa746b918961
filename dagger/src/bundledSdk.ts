/**
 * What the module needs from the TypeScript SDK that the engine's bundled library may not export.
 * A TypeScript module does not run against the npm package: the engine hands it a bundled
 * `@dagger.io/dagger` whose index (v0.21.8) exports the decorators `object`, `func`, `check`,
 * `argument`, `field`, `enumType`, `generate`, the connection and the generated client, but neither
 * `up` nor the error classes (`ExecError`, ...). Importing those type-checks, passes the SDK's
 * introspection and library mode, then fails when `dagger call` loads the module ("does not provide
 * an export named 'ExecError'"). So the module imports from the SDK only what that index has
 * (test/cli checks it against the index the engine generates) and takes the rest from here.
 */

/**
 * Marks a function as the one `dagger up` runs. The SDK's introspector recognises a decorator by
 * its name (`@up()`), and at run time the SDK's own `up` returns the method unchanged: so does this.
 */
export function up(): MethodDecorator {
  return (_target, _key, descriptor) => descriptor;
}

/** A failed `withExec`, as the SDK reports it (its ExecError): the command's exit code and output. */
export interface ExecFailure extends Error {
  name: "ExecError";
  cmd: string[];
  exitCode: number;
  stdout: string;
  stderr: string;
}

/**
 * Whether `e` is the SDK's ExecError, whichever copy of the SDK threw it (the npm package in library
 * mode, the engine's bundle in the module runtime): recognised by its name and fields, since the
 * bundle does not export the class.
 */
export function isExecError(e: unknown): e is ExecFailure {
  if (!(e instanceof Error) || e.name !== "ExecError") return false;
  const f = e as Partial<ExecFailure>;
  return typeof f.exitCode === "number" && typeof f.stdout === "string" && typeof f.stderr === "string";
}
