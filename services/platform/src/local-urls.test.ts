import { expect, test } from "bun:test";
import { localServiceUrls } from "./local-urls";

test("a moved port moves the URL the other services call, on loopback", () => {
  expect(localServiceUrls({ REGISTRY_HTTP_PORT: "6002", REGISTRY_RPC_PORT: "6051", HISTORY_PORT: "6008" })).toEqual({
    REGISTRY_URL: "http://127.0.0.1:6002",
    REGISTRY_RPC_URL: "http://127.0.0.1:6051",
    HISTORY_URL: "http://127.0.0.1:6008",
  });
});

test("a URL the user set wins over its port", () => {
  expect(localServiceUrls({ REGISTRY_HTTP_PORT: "6002", REGISTRY_URL: "http://registry:5002" })).toEqual({});
});

test("a wildcard bind is reached on loopback; a specific address on itself", () => {
  expect(localServiceUrls({ BIND_HOST: "0.0.0.0", ALARMS_PORT: "6007" })).toEqual({
    ALARMS_URL: "http://127.0.0.1:6007",
  });
  expect(localServiceUrls({ BIND_HOST: "10.1.2.3", ALARMS_PORT: "6007" })).toEqual({
    ALARMS_URL: "http://10.1.2.3:6007",
  });
});

test("port 0 (picked at start) and unset ports name no URL, nor does a bad port (its config reports it)", () => {
  expect(localServiceUrls({ DELIVERY_PORT: "0", ALARMS_PORT: "", HISTORY_PORT: "abc" })).toEqual({});
});
