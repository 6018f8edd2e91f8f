/**
 * A TCP proxy in front of PostgreSQL that can be "restarted": `outage()` cuts every open connection
 * and closes the port (connections are refused) until `restore()` listens again on the same port,
 * which is what a client sees while the server restarts.
 */
import type { Socket, TCPSocketListener } from "bun";

type Conn = { peer?: Socket<unknown>; pending: Uint8Array[] };

export function tcpProxy(target: { host: string; port: number }) {
  const open = new Set<Socket<Conn>>();
  const listen = (port: number): TCPSocketListener<Conn> =>
    Bun.listen<Conn>({
      hostname: "127.0.0.1",
      port,
      socket: {
        open(client) {
          client.data = { pending: [] };
          open.add(client);
          void Bun.connect({
            hostname: target.host,
            port: target.port,
            socket: {
              open(server) {
                client.data.peer = server;
                for (const chunk of client.data.pending) server.write(chunk);
                client.data.pending = [];
              },
              data: (_server, chunk) => void client.write(chunk),
              close: () => void client.end(),
              error: () => void client.end(),
            },
          }).catch(() => client.end());
        },
        data(client, chunk) {
          if (client.data.peer) client.data.peer.write(chunk);
          else client.data.pending.push(new Uint8Array(chunk));
        },
        close(client) {
          open.delete(client);
          client.data.peer?.end();
        },
      },
    });
  let listener: TCPSocketListener<Conn> | undefined = listen(0);
  const port = listener.port;
  return {
    port,
    outage() {
      listener?.stop(true);
      listener = undefined;
      for (const c of open) c.end();
    },
    restore() {
      listener ??= listen(port);
    },
    stop: () => listener?.stop(true),
  };
}
