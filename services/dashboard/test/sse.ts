/** Reads a text/event-stream body event by event (data lines joined), for tests. */
export function sseEvents(body: ReadableStream<Uint8Array | string>) {
  // Through app.handle Elysia enqueues strings; over HTTP they arrive as bytes.
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  return {
    async next(): Promise<{ data: string; retry?: number }> {
      for (;;) {
        const end = buffer.search(/\n\n/);
        if (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const lines = block.split("\n");
          const data = lines
            .filter((l) => l.startsWith("data: "))
            .map((l) => l.slice(6))
            .join("\n");
          const retry = lines.find((l) => l.startsWith("retry: "));
          return { data, retry: retry ? Number(retry.slice(7)) : undefined };
        }
        const { value, done } = await reader.read();
        if (done) throw new Error("stream ended");
        buffer += typeof value === "string" ? value : decoder.decode(value, { stream: true });
      }
    },
    cancel: () => reader.cancel(),
  };
}
