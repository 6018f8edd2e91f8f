/**
 * The one way HTML is written here: a tagged template that escapes every interpolated value.
 * Only `Html` values (the output of `html`) pass through unescaped, so device- and user-supplied
 * strings can never become markup. There is deliberately no "raw" escape hatch.
 */
export class Html {
  constructor(readonly value: string) {}
}

export type Renderable = Html | string | number | false | null | undefined | readonly Renderable[];

const ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => ENTITIES[c]!);

function render(v: Renderable): string {
  if (v instanceof Html) return v.value;
  if (v === null || v === undefined || v === false) return "";
  if (Array.isArray(v)) return v.map(render).join("");
  return escapeHtml(String(v));
}

export function html(strings: TemplateStringsArray, ...values: Renderable[]): Html {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) out += render(values[i]!) + strings[i + 1]!;
  return new Html(out);
}
