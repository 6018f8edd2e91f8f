/** A minimal SSE reader for tests: events with their ids, and a way to hang up. */
export interface SseEvent {
  id: string;
  event: string;
  data: string;
}

export interface SseClient {
  status: number;
  events: SseEvent[];
  /** Resolves when the server ends the stream. */
  ended: Promise<void>;
  close(): void;
}

export async function openSse(url: string, headers: Record<string, string>): Promise<SseClient> {
  const abort = new AbortController();
  const res = await fetch(url, { headers, signal: abort.signal });
  const events: SseEvent[] = [];
  const client: SseClient = { status: res.status, events, ended: Promise.resolve(), close: () => abort.abort() };
  if (res.status !== 200 || !res.body) return client;
  client.ended = (async () => {
    const text = new TextDecoder();
    let buffer = "";
    try {
      for await (const chunk of res.body!) {
        buffer += text.decode(chunk, { stream: true });
        let end: number;
        while ((end = buffer.indexOf("\n\n")) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const e: SseEvent = { id: "", event: "message", data: "" };
          for (const line of block.split("\n")) {
            if (line.startsWith("id: ")) e.id = line.slice(4);
            else if (line.startsWith("event: ")) e.event = line.slice(7);
            else if (line.startsWith("data: ")) e.data += line.slice(6);
          }
          if (e.data) events.push(e);
        }
      }
    } catch {
      // aborted by close()
    }
  })();
  return client;
}

export const messageIds = (events: SseEvent[]) => events.map((e) => (JSON.parse(e.data) as { id: string }).id);
