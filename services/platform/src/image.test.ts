/**
 * The image (Dockerfile) is built where no test runs it: what its install and its services' start need
 * from the repository must be copied in. Checked from the files themselves.
 */
import { expect, test } from "bun:test";
import { join } from "node:path";

const ROOT = join(import.meta.dir, "../../..");
const dockerfile = await Bun.file(join(ROOT, "Dockerfile")).text();
const pkg = (await Bun.file(join(ROOT, "package.json")).json()) as {
  scripts: Record<string, string>;
  patchedDependencies?: Record<string, string>;
};
/** Every COPY's sources, as repository paths without a trailing slash. */
const copied = [...dockerfile.matchAll(/^COPY\s+(.+)\s+\S+$/gm)].flatMap((m) =>
  m[1]!.split(/\s+/).map((p) => p.replace(/\/$/, "")),
);
const inImage = (path: string) => copied.some((c) => path === c || path.startsWith(`${c}/`));

test("the image holds every patch its frozen install applies", () => {
  const patches = Object.values(pkg.patchedDependencies ?? {});
  expect(patches.length).toBeGreaterThan(0);
  expect(patches.filter((p) => !inImage(p))).toEqual([]);
});

test("the image holds every file a service's `bun run` script starts", () => {
  const files = Object.values(pkg.scripts)
    .filter((s) => s.includes("services/") && !s.includes("bench/"))
    .flatMap((s) => s.split(/\s+/).filter((w) => /^(scripts|services)\//.test(w)));
  expect(files.length).toBeGreaterThan(0);
  expect(files.filter((f) => !inImage(f))).toEqual([]);
});
