/** The README stays true: every variable a service reads is in its configuration table. */
import { expect, test } from "bun:test";
import { loaders, variablesRead } from "./config-loaders";

const readme = await Bun.file(new URL("../README.md", import.meta.url)).text();
const table = readme.slice(
  readme.indexOf("## Configuration"),
  readme.indexOf("\n## ", readme.indexOf("## Configuration") + 1),
);
const documented = new Set([...table.matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((m) => m[1]!));

for (const [service, { load }] of Object.entries(loaders)) {
  test(`every variable ${service} reads is documented in the README's configuration table`, () => {
    const read = [...variablesRead(load)].filter((name) => /^[A-Z][A-Z0-9_]+$/.test(name));
    expect(read.length).toBeGreaterThan(3);
    expect(read.filter((name) => !documented.has(name))).toEqual([]);
  });
}

test("the README shows the two commands", () => {
  expect(readme).toContain("bun install && bun run start");
  expect(readme).toContain("bun run test ");
});
