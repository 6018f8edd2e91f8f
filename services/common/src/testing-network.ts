/** Test support: this machine's address on its network, the one another host would dial (never imported by service code). */
import { networkInterfaces } from "node:os";

export function externalAddress(): string {
  const found = Object.values(networkInterfaces())
    .flat()
    .find((i) => i && i.family === "IPv4" && !i.internal);
  if (!found) throw new Error("these tests need a non-loopback IPv4 interface");
  return found.address;
}
