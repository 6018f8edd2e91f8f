/** A real registry per test file, and the helpers the REST tests share. */
import { afterAll, beforeAll, describe, expect } from "bun:test";
import type { Dialect } from "../support/databases";
import type { TestRegistry } from "../support/registry";
import { registration, startTestRegistry } from "../support/registry";
import { protocolTests } from "./protocol";
import { readTests } from "./reads";
import { writeTests } from "./writes";

export interface Reply {
  status: number;
  headers: Headers;
  body: any;
}

export type RestContext = ReturnType<typeof restContext>;

function restContext(dialect: Dialect) {
  let reg: TestRegistry;
  beforeAll(async () => {
    reg = await startTestRegistry(dialect);
  });
  afterAll(() => reg?.close());

  /**
   * A JSON body is sent as such; a string body is sent as is. Writes declare JSON, body or not (the
   * registry refuses writes that do not), unless `headers` say otherwise.
   */
  const call = async (
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Reply> => {
    const json = body !== undefined || !["GET", "HEAD", "OPTIONS"].includes(method);
    const init: RequestInit = {
      method,
      headers: { ...(json ? { "content-type": "application/json" } : {}), ...headers },
    };
    if (body !== undefined) init.body = typeof body === "string" ? body : JSON.stringify(body);
    const res = await fetch(reg.httpUrl + path, init);
    const text = await res.text();
    return {
      status: res.status,
      headers: res.headers,
      body: text && res.headers.get("content-type")?.includes("json") ? JSON.parse(text) : text,
    };
  };
  return {
    reg: () => reg,
    call,
    /** Registers a valid application (with these overrides) and returns it, api_key included. */
    async register(overrides: Record<string, unknown> = {}) {
      const res = await call("POST", "/api/applications", registration(overrides));
      expect(res.status).toBe(201);
      return res.body.application as Record<string, any>;
    },
    names: (res: Reply) => (res.body.applications as { name: string }[]).map((a) => a.name).sort(),
  };
}

/** Every REST endpoint and error, against a real server on this database. */
export function restSuite(dialect: Dialect) {
  describe(`REST on ${dialect}`, () => {
    const ctx = restContext(dialect);
    protocolTests(ctx);
    writeTests(ctx);
    readTests(ctx);
  });
}
