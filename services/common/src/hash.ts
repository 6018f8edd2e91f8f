/** FNV-1a, 32-bit: a cheap, stable hash of a text (partitions, lanes and seeds need the same answer every run). */
export function fnv1a(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}
