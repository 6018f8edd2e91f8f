import { expect, test } from "bun:test";
import { createSendCoalescer } from "./send-coalescer";

/** A producer stand-in that records each request and lets the test settle it. */
function fakeProducer() {
  const requests: Array<{ messages: string[]; group: string; settle: (e?: Error) => void }> = [];
  const flush = (messages: string[], group: string) =>
    new Promise<void>((resolve, reject) =>
      requests.push({ messages, group, settle: (e) => (e ? reject(e) : resolve()) }),
    );
  return { requests, flush };
}

const nextTurn = () => new Promise((r) => setImmediate(r));

test("sends asked for in one turn go out as one request per group, in the order asked", async () => {
  const p = fakeProducer();
  const send = createSendCoalescer(p.flush);
  const sent = [send(["a1", "a2"], 10, "zstd"), send(["b1"], 10, "zstd"), send(["d1"], 10, "none")];
  // A handler that awaits before publishing still joins the same request.
  sent.push(Promise.resolve().then(() => send(["c1"], 10, "zstd")));
  await nextTurn();
  expect(p.requests.map((r) => [r.group, r.messages])).toEqual([
    ["zstd", ["a1", "a2", "b1", "c1"]],
    ["none", ["d1"]],
  ]);
  for (const r of p.requests) r.settle();
  await Promise.all(sent);
});

test("a caller settles only with the request that carried its messages; a failure fails every caller in it", async () => {
  const p = fakeProducer();
  const send = createSendCoalescer(p.flush);
  const states: string[] = [];
  const track = (name: string, x: Promise<void>) =>
    x.then(
      () => states.push(`${name} ok`),
      (e: Error) => states.push(`${name} ${e.message}`),
    );
  const first = [track("a", send(["a"], 1, "g")), track("b", send(["b"], 1, "g"))];
  await nextTurn();
  const second = track("c", send(["c"], 1, "g"));
  await nextTurn();
  expect(p.requests.map((r) => r.messages)).toEqual([["a", "b"], ["c"]]);
  expect(states).toEqual([]);
  p.requests[0]!.settle(new Error("broker gone"));
  await Promise.all(first);
  expect(states).toEqual(["a broker gone", "b broker gone"]);
  p.requests[1]!.settle();
  await second;
  expect(states.at(-1)).toBe("c ok");
});

test("a request is cut before it would pass the byte cap; a send over the cap goes alone", async () => {
  const p = fakeProducer();
  const send = createSendCoalescer(p.flush, 100);
  const sent = [send(["a"], 60, "g"), send(["b"], 30, "g"), send(["c"], 20, "g"), send(["big"], 500, "g")];
  await nextTurn();
  expect(p.requests.map((r) => r.messages)).toEqual([["a", "b"], ["c"], ["big"]]);
  for (const r of p.requests) r.settle();
  await Promise.all(sent);
});
