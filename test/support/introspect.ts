/**
 * The module as the Dagger engine sees it, without an engine: the TypeScript SDK's own introspector
 * (the code the engine runs to register a TypeScript module) over dagger/src, offline. It reports
 * the functions, arguments, doc comments (the CLI's --help), defaults paths and cache policies.
 */
import { copyFileSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { ROOT } from "./commands.js";

/** An argument as the introspector reports it. */
export interface IntrospectedArg {
  name: string;
  description: string;
  type: { kind: string; name?: string };
  isOptional: boolean;
  defaultPath?: string;
  ignore?: string[];
  /** The default value resolved from the parameter's initialiser; the SDK registers it as JSON. */
  defaultValue?: unknown;
}

/** A function as the introspector reports it. */
export interface IntrospectedFunction {
  name: string;
  description: string;
  arguments: Record<string, IntrospectedArg>;
  returnType: { kind: string; name?: string };
  /** The @func cache policy; not part of the JSON the engine prints, read from the object. */
  cache?: string;
  /** Marked @check: run by `dagger check`. */
  isCheck?: boolean;
  /** Marked @up: run by `dagger up`. */
  isUp?: boolean;
}

/** What the introspector says about the module. */
export interface IntrospectedModule {
  name: string;
  description: string;
  objects: Record<
    string,
    {
      constructor: { arguments: Record<string, IntrospectedArg> };
      methods: Record<string, IntrospectedFunction>;
      properties: Record<string, { isExposed: boolean }>;
    }
  >;
  interfaces: Record<string, unknown>;
}

type Scan = (files: string[], moduleName: string, loadModule: boolean) => Promise<unknown>;

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? tsFiles(p) : /\.m?ts$/.test(f) ? [p] : [];
  });
}

/** Runs the SDK's introspector on dagger/src, as the engine does (user files plus client.gen.ts). */
export async function introspectModule(): Promise<IntrospectedModule> {
  const sdk = join(ROOT, "node_modules", "@dagger.io", "dagger", "dist", "src");
  // The engine passes the generated client as client.gen.ts; the package ships its declarations.
  const dir = mkdtempSync(join(tmpdir(), "go-scratch-introspect-"));
  const clientGen = join(dir, "client.gen.ts");
  copyFileSync(join(sdk, "api", "client.gen.d.ts"), clientGen);
  try {
    const { scan } = (await import(join(sdk, "module", "introspector", "index.js"))) as { scan: Scan };
    const result = (await scan([...tsFiles(join(ROOT, "dagger", "src")), clientGen], "go-scratch", false)) as {
      objects: Record<string, { methods: Record<string, { cache?: string; isCheck: boolean; isUp: boolean }> }>;
    };
    const json = JSON.parse(JSON.stringify(result)) as IntrospectedModule;
    for (const [objName, obj] of Object.entries(json.objects)) {
      for (const [fnName, fn] of Object.entries(obj.methods)) {
        // Not in the introspector's JSON: read from its objects, as the engine's registration does.
        const { cache, isCheck, isUp } = result.objects[objName].methods[fnName];
        Object.assign(fn, { cache, isCheck, isUp });
      }
    }
    return json;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** kebab-case, as the dagger CLI spells flags and functions. */
export function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** The module's help, in the spirit of `dagger functions` and `dagger call <fn> --help`. */
export function helpText(mod: IntrospectedModule): string {
  const obj = mod.objects.GoScratch;
  const arg = (a: IntrospectedArg) =>
    `  --${kebab(a.name)}${a.isOptional || a.defaultPath ? "" : " (required)"}  ${a.type.name ?? a.type.kind.replace("_KIND", "").toLowerCase()}\n      ${a.description.replace(/\n/g, "\n      ")}`;
  const lines = [mod.description, "", "Options (before the function name):", ...Object.values(obj.constructor.arguments).map(arg), ""];
  for (const fn of Object.values(obj.methods)) {
    lines.push(`${kebab(fn.name)} -> ${fn.returnType.name ?? fn.returnType.kind} (cache: ${fn.cache ?? "default"})`);
    lines.push(`  ${fn.description.replace(/\n/g, "\n  ")}`);
    lines.push(...Object.values(fn.arguments).map(arg), "");
  }
  return lines.join("\n");
}
