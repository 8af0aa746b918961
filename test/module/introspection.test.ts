/**
 * The module's surface as the Dagger engine registers it, read by the TypeScript SDK's own
 * introspector: every function and argument documented (that text is the CLI's --help), the
 * documented defaults equal to the recipe's, the right cache policies, and nothing leaking into the
 * schema that should not (a regression: a TS interface in state was registered as a Dagger interface).
 */
import { beforeAll, describe, expect, it } from "vitest";

import { SOURCE_DEFAULT_PATH, SOURCE_IGNORE } from "../../dagger/src/recipe/source.js";
import { constructorParameters } from "../support/moduleSource.js";
import { helpText, introspectModule, type IntrospectedArg, type IntrospectedModule } from "../support/introspect.js";
import { REGISTERED_DEFAULTS, STATED_DEFAULTS } from "../support/registeredDefaults.js";

let mod: IntrospectedModule;

beforeAll(async () => {
  mod = await introspectModule();
  console.log(helpText(mod));
}, 120_000);

const obj = () => mod.objects.GoScratch;

/** The default as the SDK registers it with the engine: the value as JSON, or null for none. */
function registeredDefault(a: IntrospectedArg): string | null {
  return a.defaultValue === undefined ? null : JSON.stringify(a.defaultValue);
}
const allArgs = (): [string, IntrospectedArg][] => [
  ...Object.entries(obj().constructor.arguments).map(([n, a]): [string, IntrospectedArg] => [`constructor --${n}`, a]),
  ...Object.values(obj().methods).flatMap((fn) =>
    Object.entries(fn.arguments).map(([n, a]): [string, IntrospectedArg] => [`${fn.name} --${n}`, a]),
  ),
];

describe("the module as the engine registers it", () => {
  it("is GoScratch with the module description from the file's top comment", () => {
    expect(mod.name).toBe("GoScratch");
    expect(mod.description).toMatch(/^go-scratch: build a Go HTTP service/);
  });

  it("exposes exactly the pipeline's functions, returning values the caller can chain", () => {
    const fns = Object.fromEntries(Object.values(obj().methods).map((f) => [f.name, f.returnType.name ?? f.returnType.kind]));
    expect(fns).toEqual({
      fresh: "GoScratch",
      deps: "Container",
      binary: "File",
      build: "Container",
      tarball: "File",
      sbom: "File",
      scan: "STRING_KIND",
      serve: "Service",
      test: "STRING_KIND",
      publish: "STRING_KIND",
      verify: "STRING_KIND",
    });
  });

  it("documents every function", () => {
    for (const fn of Object.values(obj().methods)) expect(fn.description.length, fn.name).toBeGreaterThan(40);
  });

  it("documents every argument", () => {
    for (const [where, a] of allArgs()) expect(a.description.length, where).toBeGreaterThan(10);
  });

  it("leaves every function whose result depends only on its inputs to the engine's function cache; scan for an hour; never publish or fresh", () => {
    const cache = Object.fromEntries(Object.values(obj().methods).map((f) => [f.name, f.cache ?? ""]));
    // "" is the SDK's default: the engine's persistent cache, keyed by the module, the constructor's
    // arguments and the function's (a directory by its content).
    expect(cache).toEqual({ fresh: "never", deps: "", binary: "", build: "", tarball: "", sbom: "", scan: "1h", serve: "", test: "", publish: "never", verify: "never" });
  });

  it("runs test under `dagger check` and serve under `dagger up`, and nothing else", () => {
    const marked = (flag: "isCheck" | "isUp") => Object.values(obj().methods).filter((f) => f[flag]).map((f) => f.name);
    expect(marked("isCheck")).toEqual(["test"]);
    expect(marked("isUp")).toEqual(["serve"]);
  });

  it("takes the toolchain as a Container, the caches as CacheVolumes, the .netrc as a Secret, and lists as repeatable options", () => {
    const args = obj().constructor.arguments;
    expect(args.toolchain.type).toEqual({ kind: "OBJECT_KIND", name: "Container" });
    expect(args.modCache.type).toEqual({ kind: "OBJECT_KIND", name: "CacheVolume" });
    expect(args.buildCache.type).toEqual({ kind: "OBJECT_KIND", name: "CacheVolume" });
    expect(args.netrc.type).toEqual({ kind: "OBJECT_KIND", name: "Secret" });
    for (const list of ["define", "env", "args"]) expect(args[list].type.kind, list).toBe("LIST_KIND");
  });

  it("takes the password and the signing key and its password as Secrets, the tag as a required string", () => {
    const publish = obj().methods.publish.arguments;
    for (const secret of ["password", "registryConfig", "signingKey", "signingPassword"]) {
      expect(publish[secret].type, secret).toEqual({ kind: "OBJECT_KIND", name: "Secret" });
    }
    expect(publish.tag.isOptional).toBe(false);
    const verify = obj().methods.verify.arguments;
    expect(verify.publicKey.type).toEqual({ kind: "OBJECT_KIND", name: "File" });
    expect(verify.reference.isOptional).toBe(false);
  });

  it("takes the source in every function but fresh (an edit re-runs no constructor), from service/ with narrow ignores, so a README edit rebuilds nothing", () => {
    expect(obj().constructor.arguments.source).toBeUndefined();
    for (const fn of Object.values(obj().methods).filter((f) => f.name !== "fresh" && f.name !== "verify")) {
      const source = fn.arguments.source;
      expect(source?.type, fn.name).toEqual({ kind: "OBJECT_KIND", name: "Directory" });
      expect(source.defaultPath, fn.name).toBe(SOURCE_DEFAULT_PATH);
      expect(source.ignore, fn.name).toEqual(SOURCE_IGNORE);
      expect(source.ignore).toEqual(expect.arrayContaining(["**/.git", "**/node_modules", "**/*.md"]));
    }
  });

  it("registers the recipe's default of every optional argument, as a value (not prose)", () => {
    const registered: Record<string, Record<string, string | null>> = {
      "": Object.fromEntries(Object.values(obj().constructor.arguments).map((a) => [a.name, registeredDefault(a)])),
    };
    for (const fn of Object.values(obj().methods)) {
      registered[fn.name] = Object.fromEntries(Object.values(fn.arguments).map((a) => [a.name, registeredDefault(a)]));
    }
    expect(registered).toEqual(REGISTERED_DEFAULTS);
  });

  it("says in --help what happens when an argument without a default value is not given", () => {
    const described = Object.fromEntries(allArgs().map(([where, a]) => [where.replace(/^constructor --/, "").replace(/ --/, " "), a.description]));
    for (const [where, words] of Object.entries(STATED_DEFAULTS)) expect(described[where], where).toMatch(words);
  });

  it("puts no backquotes in argument help (the CLI would show the first quoted word as the flag's value name)", () => {
    for (const [where, a] of allArgs()) expect(a.description, where).not.toContain("`");
  });

  it("keeps as state exactly the constructor's options, each under its own name, plus the nonce fresh sets", () => {
    expect(Object.keys(obj().properties).sort()).toEqual([...constructorParameters(), "freshNonce"].sort());
  });

  it("declares no interfaces and exposes no state", () => {
    expect(mod.interfaces).toEqual({});
    for (const [name, p] of Object.entries(obj().properties)) expect(p.isExposed, name).toBe(false);
  });
});
