/**
 * Operators from configuration: `name:hash` pairs, each hash made by `bun run dashboard:hash-password`
 * (argon2id; bcrypt is accepted too). Only hashes are ever configured, so a leaked environment does
 * not leak a password; a name that is not configured costs as much to refuse as a wrong password.
 */
export type Operators = ReadonlyMap<string, string>;

const NAME = /^[A-Za-z0-9._@-]{1,64}$/;
const HASH = /^\$(argon2id|argon2i|argon2d|2[aby])\$\S+$/;

/**
 * `alice:$argon2id$…,bob:$argon2id$…`. An argon2 hash holds commas of its own (`m=65536,t=2,p=1`),
 * so a comma separates operators only where the next entry starts with `name:`. Throws the reason
 * (never the hash) when an entry cannot be read.
 */
export function parseOperators(text: string): Operators {
  const operators = new Map<string, string>();
  const entries = text
    .split(/[,\s]+(?=[A-Za-z0-9._@-]+:\$)/)
    .map((e) => e.trim())
    .filter(Boolean);
  for (const [i, entry] of entries.entries()) {
    const colon = entry.indexOf(":");
    const name = colon > 0 ? entry.slice(0, colon) : "";
    const hash = entry.slice(colon + 1);
    if (!NAME.test(name)) throw new Error(`entry ${i + 1}: expected name:hash with a name of letters, digits, . _ @ -`);
    if (!HASH.test(hash))
      throw new Error(`${name}: expected a password hash from bun run dashboard:hash-password, not a password`);
    if (operators.has(name)) throw new Error(`${name} given twice`);
    operators.set(name, hash);
  }
  return operators;
}

/** True when `password` is `name`'s. Unknown names are checked against a real hash too, so timing tells nothing. */
export async function verifyOperator(operators: Operators, name: string, password: string): Promise<boolean> {
  const hash = operators.get(name);
  const decoy = operators.values().next().value;
  if (hash === undefined) {
    if (decoy !== undefined) await Bun.password.verify(password, decoy).catch(() => false);
    return false;
  }
  return Bun.password.verify(password, hash).catch(() => false);
}
