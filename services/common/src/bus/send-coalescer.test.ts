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
/** A settled request lets its callers go on first; the next request leaves a turn after that. */
const afterSettle = async () => {
  await nextTurn();
  await nextTurn();
};
const sent = (p: ReturnType<typeof fakeProducer>) => p.requests.map((r) => [r.group, r.messages]);

test("sends asked for in one turn go out as one request per group, one request at a time, in the order asked", async () => {
  const p = fakeProducer();
  const send = createSendCoalescer(p.flush);
  const all = [send(["a1", "a2"], 10, "zstd"), send(["b1"], 10, "zstd"), send(["d1"], 10, "none")];
  // A handler that awaits before publishing still joins the same request.
  all.push(Promise.resolve().then(() => send(["c1"], 10, "zstd")));
  await nextTurn();
  expect(sent(p)).toEqual([["zstd", ["a1", "a2", "b1", "c1"]]]);
  p.requests[0]!.settle();
  await afterSettle();
  expect(sent(p)).toEqual([
    ["zstd", ["a1", "a2", "b1", "c1"]],
    ["none", ["d1"]],
  ]);
  p.requests[1]!.settle();
  await Promise.all(all);
});

test("sends asked for while a request is in flight wait for it, merged into the next request", async () => {
  const p = fakeProducer();
  const send = createSendCoalescer(p.flush);
  const first = send(["a"], 1, "g");
  await nextTurn();
  const later = [send(["b"], 1, "g"), send(["c"], 1, "g")];
  await nextTurn();
  await nextTurn();
  expect(sent(p)).toEqual([["g", ["a"]]]);
  p.requests[0]!.settle();
  await first;
  await afterSettle();
  expect(sent(p)).toEqual([
    ["g", ["a"]],
    ["g", ["b", "c"]],
  ]);
  p.requests[1]!.settle();
  await Promise.all(later);
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
  expect(states).toEqual([]);
  p.requests[0]!.settle(new Error("broker gone"));
  await Promise.all(first);
  expect(states).toEqual(["a broker gone", "b broker gone"]);
  await afterSettle();
  expect(p.requests.map((r) => r.messages)).toEqual([["a", "b"], ["c"]]);
  p.requests[1]!.settle();
  await second;
  expect(states.at(-1)).toBe("c ok");
});

test("a request is cut before it would pass the byte cap; a send over the cap goes alone", async () => {
  const p = fakeProducer();
  const send = createSendCoalescer(p.flush, 100);
  const all = [send(["a"], 60, "g"), send(["b"], 30, "g"), send(["c"], 20, "g"), send(["big"], 500, "g")];
  for (let i = 0; i < 3; i++) {
    await afterSettle();
    p.requests[i]!.settle();
  }
  await Promise.all(all);
  expect(p.requests.map((r) => r.messages)).toEqual([["a", "b"], ["c"], ["big"]]);
});

test("a flush that throws fails its callers and the next request still goes", async () => {
  let calls = 0;
  const send = createSendCoalescer((messages: string[]) => {
    if (calls++ === 0) throw new Error(`refused ${messages.join()}`);
    return Promise.resolve();
  });
  const first = send(["a"], 1, "g");
  await expect(first).rejects.toThrow("refused a");
  await send(["b"], 1, "g");
  expect(calls).toBe(2);
});
