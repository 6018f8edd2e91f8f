/**
 * Live streams held open at once, in all and per client address. Each stream costs a connection
 * and a rendering slot for as long as the browser stays; without a cap one client could hold them
 * all. `take` answers a release function, or undefined when a cap is reached (the route says 429).
 */
export interface StreamSlots {
  take(address: string): (() => void) | undefined;
  open(): number;
}

export function createStreamSlots(limits: { total: number; perClient: number }): StreamSlots {
  const byClient = new Map<string, number>();
  let open = 0;
  return {
    take(address) {
      const mine = byClient.get(address) ?? 0;
      if (open >= limits.total || mine >= limits.perClient) return undefined;
      open++;
      byClient.set(address, mine + 1);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        open--;
        const left = (byClient.get(address) ?? 1) - 1;
        if (left === 0) byClient.delete(address);
        else byClient.set(address, left);
      };
    },
    open: () => open,
  };
}
