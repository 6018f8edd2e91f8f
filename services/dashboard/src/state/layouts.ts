/**
 * Which column each name is in, shared: every device of a type meets the same fields (and trend
 * metrics) in the same order, so its series and trends point at one layout instead of each holding
 * a map of its own. Names are device-chosen, so past MAX_SHARED_LAYOUTS a new layout is not kept
 * for sharing.
 */
const MAX_SHARED_LAYOUTS = 4_096;

/** Which column each field is in; `with` hands out the one shared layout for one more field. */
export class Layout {
  readonly index = new Map<string, number>();
  private readonly next = new Map<string, Layout>();

  constructor(
    readonly fields: readonly string[],
    private readonly shared: { count: number },
  ) {
    fields.forEach((f, i) => this.index.set(f, i));
  }

  with(field: string): Layout {
    const known = this.next.get(field);
    if (known) return known;
    const layout = new Layout([...this.fields, field], this.shared);
    if (this.shared.count < MAX_SHARED_LAYOUTS) {
      this.shared.count++;
      this.next.set(field, layout);
    }
    return layout;
  }
}

/** The empty layout every series of a store starts from (and so shares the layouts after it). */
export const createLayouts = () => new Layout([], { count: 0 });
