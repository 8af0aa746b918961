/**
 * carry.ts: the module's options in the form the SDK serialises, and back. The SDK's own classes are
 * told apart by name (the module runtime's are not the ones the module imports), so stand-ins with
 * those names are the real case here.
 */
import { describe, expect, it } from "vitest";

import { CARRIED_KEYS, carry, stow, uncarry } from "../../dagger/src/carry.js";

class Directory {
  constructor(readonly path: string) {}
}
class Secret {}

describe("carry", () => {
  it("keeps plain values as JSON and Dagger objects in the list of their type, and gives them back by name", () => {
    const source = new Directory("/src");
    const assets = new Directory("/assets");
    const netrc = new Secret();
    const options = { source, pkg: "./cmd/api", port: 9090, tzdata: true, define: ["a=b"], assets, netrc, sourceUrl: undefined };
    const carried = carry(options);
    expect(Object.keys(carried).sort()).toEqual([...CARRIED_KEYS].sort());
    expect(carried.directories).toEqual([source, assets]);
    expect(carried.secrets).toEqual([netrc]);
    expect(JSON.parse(carried.values)).toEqual({
      source: { $: "directories", i: 0 },
      pkg: "./cmd/api",
      port: 9090,
      tzdata: true,
      define: ["a=b"],
      assets: { $: "directories", i: 1 },
      netrc: { $: "secrets", i: 0 },
    });
    const back = uncarry(carried);
    expect(back).toEqual({ source, pkg: "./cmd/api", port: 9090, tzdata: true, define: ["a=b"], assets, netrc });
    expect(back.source).toBe(source);
  });

  it("refuses a value no list can carry, naming the option", () => {
    expect(() => carry({ when: new Date(0) })).toThrow(/option when: a value of this type cannot be carried/);
  });

  it("takes every own property off the object but the carried ones and those kept", () => {
    const target: Record<string, unknown> = { pkg: ".", port: 8080, values: undefined, directories: undefined, freshNonce: undefined };
    expect(stow(target, ["freshNonce"])).toEqual({ pkg: ".", port: 8080 });
    expect(Object.keys(target).sort()).toEqual(["directories", "freshNonce", "values"]);
  });
});
