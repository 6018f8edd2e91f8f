/** Plain aligned tables for the terminal and for bench/README.md (Markdown pipes). */
export type Row = Record<string, string | number | boolean | null | undefined>;

const text = (v: Row[string]) =>
  v === undefined || v === null ? "–" : typeof v === "boolean" ? (v ? "yes" : "no") : String(v);

export function formatTable(rows: Row[]): string {
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const cells = rows.map((r) => columns.map((c) => text(r[c])));
  const width = columns.map((c, i) => Math.max(c.length, ...cells.map((row) => row[i]!.length)));
  const line = (values: string[]) =>
    `| ${values.map((v, i) => (/^-?[\d.]+$/.test(v) ? v.padStart(width[i]!) : v.padEnd(width[i]!))).join(" | ")} |`;
  return [line(columns), `|${width.map((w) => "-".repeat(w + 2)).join("|")}|`, ...cells.map(line)].join("\n");
}

export function printTable(title: string, rows: Row[]): void {
  console.log(`\n${title}\n${formatTable(rows)}`);
}

/** Rounds to `digits` decimals (for tables and JSON alike). */
export const round = (x: number, digits = 0) => {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
};
