/**
 * How GoScratch carries its module-wide options from the constructor to the function a `dagger call`
 * runs. The TypeScript SDK serialises an object's state only through properties declared on the
 * class with a Dagger type, and rebuilds it by assigning those properties to a bare instance. So the
 * options travel as one JSON record of their plain values (strings, numbers, booleans, lists of
 * them) plus one list per Dagger object type (whose IDs the SDK sends): the class declares these six
 * properties, and an option needs no property of its own.
 */
import type { CacheVolume, Container, Directory, Secret, Service } from "@dagger.io/dagger";

/** The state GoScratch declares, as the SDK serialises it. */
export interface Carried {
  /** The plain values by option name; an object option is `{ "$": <list>, "i": <index> }`. */
  values: string;
  directories: Directory[];
  containers: Container[];
  cacheVolumes: CacheVolume[];
  secrets: Secret[];
  services: Service[];
}

type ObjectList = Exclude<keyof Carried, "values">;

/** The properties a carrying class declares: exactly Carried's. */
export const CARRIED_KEYS: readonly (keyof Carried)[] = ["values", "directories", "containers", "cacheVolumes", "secrets", "services"];

/**
 * The list that carries each Dagger object type an option may have, by the type's class name. By
 * name, not `instanceof`: in the module runtime the SDK builds the constructor's arguments with its
 * own bundled classes, which are not the ones the module imports.
 */
const KINDS: Readonly<Record<string, ObjectList>> = {
  Directory: "directories",
  Container: "containers",
  CacheVolume: "cacheVolumes",
  Secret: "secrets",
  Service: "services",
};

/** The list for a Dagger object, or undefined for anything else. */
function listFor(value: unknown): ObjectList | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const name = (Object.getPrototypeOf(value) as { constructor?: { name?: string } } | null)?.constructor?.name;
  return name !== undefined && Object.hasOwn(KINDS, name) ? KINDS[name] : undefined;
}

interface Ref {
  $: ObjectList;
  i: number;
}

function isRef(v: unknown): v is Ref {
  return typeof v === "object" && v !== null && !Array.isArray(v) && "$" in v && "i" in v;
}

function isPlain(v: unknown): boolean {
  if (Array.isArray(v)) return v.every(isPlain);
  return v === null || ["string", "number", "boolean"].includes(typeof v);
}

/**
 * Takes the options off a freshly constructed object: every own enumerable property but the carried
 * ones and `keep` is removed from it and returned, by name. The SDK serialises every own property
 * of the object a constructor returns and rejects one the class does not declare, and a parameter
 * property is not a declaration it reads.
 */
export function stow(target: object, keep: readonly string[]): Record<string, unknown> {
  const options: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(target)) {
    if ((CARRIED_KEYS as readonly string[]).includes(name) || keep.includes(name)) continue;
    options[name] = value;
    Reflect.deleteProperty(target, name);
  }
  return options;
}

/** `options` in the form the class declares; throws for a value no list can carry (a new type). */
export function carry(options: Readonly<Record<string, unknown>>): Carried {
  const out: Carried = { values: "", directories: [], containers: [], cacheVolumes: [], secrets: [], services: [] };
  const values: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(options)) {
    if (value === undefined) continue;
    const kind = listFor(value);
    if (kind) {
      // Each list holds one Dagger type; the cast only tells the compiler which list that is.
      (out[kind] as object[]).push(value as object);
      values[name] = { $: kind, i: out[kind].length - 1 } satisfies Ref;
    } else if (isPlain(value)) {
      values[name] = value;
    } else {
      throw new Error(`option ${name}: a value of this type cannot be carried between calls (see dagger/src/carry.ts)`);
    }
  }
  out.values = JSON.stringify(values);
  return out;
}

/** The options back from the carried state, by name. */
export function uncarry(state: Carried): Record<string, unknown> {
  const values = JSON.parse(state.values) as Record<string, unknown>;
  return Object.fromEntries(Object.entries(values).map(([name, v]) => [name, isRef(v) ? state[v.$][v.i] : v]));
}
