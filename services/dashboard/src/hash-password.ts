/**
 * `bun run dashboard:hash-password [name]`: reads a password (typed, or the first line piped on
 * stdin) and prints its argon2id hash, or `name:hash`, ready for DASHBOARD_OPERATORS. The password
 * never appears on the command line, so it stays out of shell history and process lists.
 */
import { parseOperators } from "./auth/operators";

const name = Bun.argv[2];
if (name !== undefined && !/^[A-Za-z0-9._@-]{1,64}$/.test(name)) {
  console.error("usage: bun run dashboard:hash-password [name]   (name: letters, digits, . _ @ -)");
  process.exit(2);
}
if (process.stdin.isTTY) process.stderr.write("Password (shown as you type): ");
let password = "";
for await (const line of console) {
  password = line;
  break;
}
if (password.length < 8) {
  console.error("refused: use a password of at least 8 characters");
  process.exit(2);
}
const hash = await Bun.password.hash(password, { algorithm: "argon2id" });
parseOperators(`${name ?? "operator"}:${hash}`); // throws if the dashboard would not accept what is printed
console.log(name === undefined ? hash : `${name}:${hash}`);
