import { expect, test } from "bun:test";
import { HttpError } from "./errors";
import { MAX_BODY_BYTES, readJson } from "./json-body";

const request = (body: BodyInit, headers: Record<string, string> = { "content-type": "application/json" }) =>
  new Request("http://registry.test/api", { method: "POST", body, headers });
const statusOf = (p: Promise<unknown>) =>
  p.then(
    () => 200,
    (e) => (e instanceof HttpError ? e.status : e),
  );

test("JSON bodies parse, with or without a charset or a +json suffix", async () => {
  expect(await readJson(request('{"a":1}'))).toEqual({ a: 1 });
  expect(await readJson(request("[1]", { "content-type": "application/json; charset=utf-8" }))).toEqual([1]);
  expect(await readJson(request('"x"', { "content-type": "application/merge-patch+json" }))).toBe("x");
});

test("415 unless the content type is JSON", async () => {
  for (const type of [
    "text/plain",
    "application/x-www-form-urlencoded",
    "application/jsonp",
    "multipart/form-data; boundary=x",
    "",
  ])
    expect([type, await statusOf(readJson(request("{}", type ? { "content-type": type } : {})))]).toEqual([type, 415]);
});

test("413 over 64 KiB, by declared length or by the bytes actually sent", async () => {
  expect(await statusOf(readJson(request(JSON.stringify("x".repeat(MAX_BODY_BYTES - 2)))))).toBe(200);
  expect(await statusOf(readJson(request(JSON.stringify("x".repeat(MAX_BODY_BYTES)))))).toBe(413);
  const lying = request("{}", { "content-type": "application/json", "content-length": String(MAX_BODY_BYTES + 1) });
  expect(await statusOf(readJson(lying))).toBe(413);
  const streamed = new ReadableStream({
    start(c) {
      c.enqueue(new TextEncoder().encode(`"${"y".repeat(MAX_BODY_BYTES)}"`));
      c.close();
    },
  });
  expect(await statusOf(readJson(request(streamed)))).toBe(413);
});

test("400 for malformed JSON or bytes that are not UTF-8", async () => {
  for (const body of ["{", "", "{'a':1}", "NaN", new Uint8Array([0x22, 0xff, 0x22])])
    expect(await statusOf(readJson(request(body)))).toBe(400);
});
