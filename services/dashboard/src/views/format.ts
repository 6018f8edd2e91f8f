/** Numbers as people read them; absent stays absent (an em dash with a reason), never a made-up figure. */
import { html, type Html } from "./html";

const plain = new Intl.NumberFormat("en-US", { maximumFractionDigits: 2 });
const whole = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });

export const absent = (why = "not reported"): Html => html`<span class="absent" title="${why}">—</span>`;

export const num = (v: number | undefined, why?: string): Html | string =>
  v === undefined || !Number.isFinite(v) ? absent(why) : plain.format(v);

export const count = (v: number | undefined, why?: string): Html | string =>
  v === undefined ? absent(why) : whole.format(v);

export const perSecond = (v: number | undefined, why?: string): Html | string =>
  v === undefined ? absent(why) : `${v >= 100 ? whole.format(v) : plain.format(v)}/s`;
