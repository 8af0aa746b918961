/**
 * The module's source read as the TypeScript SDK reads it: with the TypeScript the SDK itself
 * depends on, parsing dagger/src/index.ts (no type checking, milliseconds). The SDK's runtime calls
 * the constructor with its parameters in declaration order; the tests do the same by name.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";

import { ROOT } from "./commands.js";

/** The little of TypeScript's compiler API used here (the project's typescript package is v7, without it). */
interface TsNode {
  kind: number;
}
interface TsParameter extends TsNode {
  name: { getText(file: TsNode): string };
}
interface TsClass extends TsNode {
  name?: { text: string };
  members: TsNode[];
}
interface TsConstructor extends TsNode {
  parameters: TsParameter[];
}
interface TS {
  ScriptTarget: { ES2022: number };
  createSourceFile(path: string, text: string, target: number, setParentNodes: boolean): TsNode;
  isClassDeclaration(n: TsNode): n is TsClass;
  isConstructorDeclaration(n: TsNode): n is TsConstructor;
  forEachChild(n: TsNode, visit: (child: TsNode) => void): void;
}

/** The TypeScript the SDK's introspector uses (the project's own tsc is a native build without this API). */
function sdkTypeScript(): TS {
  const sdk = createRequire(join(ROOT, "package.json")).resolve("@dagger.io/dagger");
  return createRequire(sdk)("typescript") as TS;
}

let cached: string[] | undefined;

/** The names of GoScratch's constructor parameters, in order. */
export function constructorParameters(): string[] {
  if (cached) return cached;
  const ts = sdkTypeScript();
  const path = join(ROOT, "dagger", "src", "index.ts");
  const file = ts.createSourceFile(path, readFileSync(path, "utf8"), ts.ScriptTarget.ES2022, true);
  let names: string[] | undefined;
  const visit = (node: TsNode): void => {
    if (ts.isClassDeclaration(node) && node.name?.text === "GoScratch") {
      const ctor = node.members.find(ts.isConstructorDeclaration);
      names = ctor?.parameters.map((p) => p.name.getText(file));
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  if (!names) throw new Error(`${path}: no GoScratch constructor found`);
  cached = names;
  return names;
}
