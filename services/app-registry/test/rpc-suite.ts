/** The RPC port through a real h2c server; run once per database (rpc-*.test.ts). */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Code, ConnectError } from "@connectrpc/connect";
import { ApplicationRegistryService, ApplicationStatus, ChangeType, Platform } from "@gen/iot/registry/v1/registry_pb";
import { status as GrpcStatus } from "@grpc/grpc-js";
import type { Dialect } from "./support/databases";
import { registration, startTestRegistry } from "./support/registry";
import type { TestRegistry } from "./support/registry";
import { bufCurl, connectClients, grpcJsClient, until, within } from "./support/rpc-clients";

export function rpcSuite(dialect: Dialect) {
  let reg: TestRegistry;
  let grpcJs: ReturnType<typeof grpcJsClient>;
  let clients: ReturnType<typeof connectClients>;
  beforeAll(async () => {
    reg = await startTestRegistry(dialect);
    grpcJs = grpcJsClient(ApplicationRegistryService, reg.rpcUrl.replace("http://", ""));
    clients = connectClients(reg.rpcUrl);
  });
  afterAll(async () => {
    grpcJs?.close();
    await reg?.close();
  });
  const rest = (method: string, path: string, body?: unknown) =>
    fetch(reg.httpUrl + path, {
      method,
      headers: { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const codeOf = (p: Promise<unknown>) =>
    p.then(
      () => "resolved",
      (e) => (e instanceof ConnectError ? Code[e.code] : e.code),
    );

  describe(`RPC on ${dialect}`, () => {
    test("@grpc/grpc-js: register, get, list, by device type(s), partial update, regenerate, delete", async () => {
      const name = `gRPC ${crypto.randomUUID()}`;
      const created = await grpcJs.unary("registerApplication", {
        name,
        developer: "Dev",
        version: "1.0.0",
        contactEmail: "dev@example.com",
        platform: Platform.API,
        deviceTypes: ["smart_meter", "smart_breaker"],
      });
      expect(created.apiKey).toMatch(/^[A-Za-z0-9_-]{43}$/);
      const app = created.application;
      expect(app).toMatchObject({
        name,
        platform: Platform.API,
        status: ApplicationStatus.ACTIVE,
        deviceTypes: ["smart_meter", "smart_breaker"],
        description: "",
      });
      expect((await grpcJs.unary("getApplication", { id: app.id })).application.name).toBe(name);
      const listed = await grpcJs.unary("listApplications", {
        deviceType: "smart_meter",
        platform: Platform.API,
        limit: 1000,
      });
      expect(listed.applications.map((a: { id: string }) => a.id)).toContain(app.id);
      expect(listed.total).toBe(listed.applications.length);
      expect(
        (await grpcJs.unary("listApplicationsByDeviceType", { deviceType: "smart_meter" })).applications.map(
          (a: { id: string }) => a.id,
        ),
      ).toContain(app.id);
      const both = await grpcJs.unary("listApplicationsByDeviceTypes", {
        deviceTypes: ["smart_meter", "smart_breaker"],
      });
      expect(both.applications.filter((a: { id: string }) => a.id === app.id)).toHaveLength(1);
      const updated = (await grpcJs.unary("updateApplication", { id: app.id, version: "2.0.0" })).application;
      expect(updated).toMatchObject({
        version: "2.0.0",
        deviceTypes: ["smart_meter", "smart_breaker"],
        platform: Platform.API,
        name,
      });
      const emptied = (await grpcJs.unary("updateApplication", { id: app.id, deviceTypes: { values: [] } }))
        .application;
      expect(emptied.deviceTypes).toEqual([]);
      expect((await grpcJs.unary("regenerateApiKey", { id: app.id })).apiKey).not.toBe(created.apiKey);
      await grpcJs.unary("deleteApplication", { id: app.id });
      expect(await grpcJs.unary("getApplication", { id: app.id }).catch((e) => e.code)).toBe(GrpcStatus.NOT_FOUND);
    });

    test("@grpc/grpc-js: domain errors arrive as gRPC status codes", async () => {
      const taken = registration();
      await rest("POST", "/api/applications", taken);
      // grpc-js reads grpc-message with decodeURI, which leaves escapes of `:`, `;`, `,` and `$`
      // (Connect sends encodeURIComponent's); decode those here as other gRPC clients do.
      const fail = (method: string, req: object) =>
        grpcJs.unary(method, req).then(
          () => undefined,
          (e) => ({ code: e.code, details: decodeURIComponent(e.details) }),
        );
      const invalid = await fail("registerApplication", {
        name: "",
        developer: "d",
        version: "1",
        contactEmail: "nope",
        deviceTypes: ["Bad"],
      });
      expect(invalid!.code).toBe(GrpcStatus.INVALID_ARGUMENT);
      expect(invalid!.details).toContain("device_types: Not a valid device type id");
      expect(invalid!.details).toContain("contact_email: Not a valid email address.");
      expect(
        (await fail("registerApplication", {
          name: taken.name.toUpperCase(),
          developer: "d",
          version: "1",
          contactEmail: "a@b.co",
        }))!.code,
      ).toBe(GrpcStatus.ALREADY_EXISTS);
      expect((await fail("updateApplication", { id: "missing", version: "2" }))!.code).toBe(GrpcStatus.NOT_FOUND);
      expect((await fail("listApplicationsByDeviceType", { deviceType: "%" }))!.code).toBe(GrpcStatus.INVALID_ARGUMENT);
      expect((await fail("listApplicationsByDeviceTypes", { deviceTypes: [] }))!.code).toBe(
        GrpcStatus.INVALID_ARGUMENT,
      );
      expect((await fail("listApplications", { limit: 1001 }))!.code).toBe(GrpcStatus.INVALID_ARGUMENT);
    });

    test("Connect, gRPC and gRPC-Web protocols of connect-node on HTTP/2", async () => {
      const { application, apiKey } = await clients.connect.registerApplication({
        name: `Connect ${crypto.randomUUID()}`,
        developer: "Dev",
        version: "1",
        platform: Platform.WEB,
        contactEmail: "c@example.com",
        deviceTypes: ["environmental_sensor"],
      });
      expect(apiKey).not.toBe("");
      for (const client of [clients.connect, clients.grpc, clients.grpcWeb]) {
        expect((await client.getApplication({ id: application!.id })).application?.name).toBe(application!.name);
        const found = await client.listApplicationsByDeviceType({ deviceType: "environmental_sensor" });
        expect(found.applications.map((a) => a.id)).toContain(application!.id);
        expect(await codeOf(client.getApplication({ id: "missing" }))).toBe("NotFound");
      }
      expect(
        await codeOf(clients.connect.updateApplication({ id: application!.id, status: ApplicationStatus.UNSPECIFIED })),
      ).toBe("InvalidArgument");
      const inactive = await clients.grpcWeb.updateApplication({
        id: application!.id,
        status: ApplicationStatus.INACTIVE,
      });
      expect(inactive.application?.status).toBe(ApplicationStatus.INACTIVE);
      const active = await clients.grpc.listApplicationsByDeviceType({ deviceType: "environmental_sensor" });
      expect(active.applications.map((a) => a.id)).not.toContain(application!.id);
    });

    test("server reflection v1 and v1alpha: buf curl lists services and calls without local protos", async () => {
      for (const reflect of ["grpc-v1", "grpc-v1alpha"]) {
        const listed = await bufCurl(
          "--protocol",
          "grpc",
          "--http2-prior-knowledge",
          "--reflect-protocol",
          reflect,
          "--list-services",
          reg.rpcUrl,
        );
        expect(listed).toMatchObject({ code: 0, stderr: "" });
        expect(listed.stdout.trim().split("\n").sort()).toEqual([
          "grpc.reflection.v1.ServerReflection",
          "grpc.reflection.v1alpha.ServerReflection",
          "iot.registry.v1.ApplicationRegistryService",
          "iot.registry.v1.DeviceRegistryService",
        ]);
      }
      const methods = await bufCurl("--protocol", "grpc", "--http2-prior-knowledge", "--list-methods", reg.rpcUrl);
      expect(methods.stdout).toContain("iot.registry.v1.ApplicationRegistryService/WatchApplications");
      const body = registration({ devicetypes: ["smart_breaker"] });
      await rest("POST", "/api/applications", body);
      for (const protocol of ["grpc", "connect", "grpcweb"]) {
        const call = await bufCurl(
          "--protocol",
          protocol,
          "--http2-prior-knowledge",
          "-d",
          '{"device_type":"smart_breaker"}',
          `${reg.rpcUrl}/iot.registry.v1.ApplicationRegistryService/ListApplicationsByDeviceType`,
        );
        expect(call.code).toBe(0);
        expect(JSON.parse(call.stdout).applications.map((a: { name: string }) => a.name)).toContain(body.name);
      }
      // Six buf processes: each start alone takes ~0.5 s on a busy 2-core machine.
    }, 20_000);

    test("WatchApplications: snapshot first, then a change within 1 s of a REST registration", async () => {
      const stop = new AbortController();
      const stream = clients.grpc
        .watchApplications({ deviceTypes: ["smart_meter"] }, { signal: stop.signal })
        [Symbol.asyncIterator]();
      try {
        const first = (await within(1_000, stream.next(), "snapshot")).value;
        expect(first.event.case).toBe("snapshot");
        const snapshot = first.event.value.applications;
        expect(snapshot.every((a: { deviceTypes: string[] }) => a.deviceTypes.includes("smart_meter"))).toBe(true);
        // Not watched: no event. The watched registration that follows must be the next event.
        expect((await rest("POST", "/api/applications", registration({ devicetypes: ["smart_breaker"] }))).status).toBe(
          201,
        );
        const body = registration({ devicetypes: ["smart_meter"] });
        const sent = performance.now();
        expect((await rest("POST", "/api/applications", body)).status).toBe(201);
        const created = (await within(1_000, stream.next(), "created event")).value;
        expect(performance.now() - sent).toBeLessThan(1_000);
        expect(created.event.value).toMatchObject({
          type: ChangeType.CREATED,
          application: { name: body.name, deviceTypes: ["smart_meter"] },
        });
        const id = created.event.value.application.id;
        // Moving out of the watched types is still a change the watcher must see.
        await rest("PUT", `/api/applications/${id}`, { devicetypes: ["smart_breaker"] });
        const moved = (await within(1_000, stream.next(), "updated event")).value;
        expect(moved.event.value).toMatchObject({
          type: ChangeType.UPDATED,
          application: { id, deviceTypes: ["smart_breaker"] },
        });
        await rest("PUT", `/api/applications/${id}`, { devicetypes: ["smart_breaker", "smart_meter"] });
        expect((await within(1_000, stream.next(), "moved back")).value.event.value.type).toBe(ChangeType.UPDATED);
        await rest("DELETE", `/api/applications/${id}`);
        const deleted = (await within(1_000, stream.next(), "deleted event")).value;
        expect(deleted.event.value).toMatchObject({ type: ChangeType.DELETED, application: { id, name: body.name } });
      } finally {
        stop.abort();
      }
    });

    test("WatchApplications with no device types watches everything; the stream ends when the client leaves", async () => {
      await within(
        1_000,
        until(() => reg.registry.watchStreams() === 0),
        "earlier watchers gone",
      );
      const stop = new AbortController();
      const before = reg.registry.watchStreams();
      const stream = clients.connect.watchApplications({}, { signal: stop.signal })[Symbol.asyncIterator]();
      const snapshot = (await within(1_000, stream.next(), "snapshot")).value;
      expect(snapshot.event.value.applications.length).toBe(
        (await (await rest("GET", "/api/applications?limit=1000")).json()).total,
      );
      const body = registration({ devicetypes: [] });
      await rest("POST", "/api/applications", body);
      expect((await within(1_000, stream.next(), "change")).value.event.value.application.name).toBe(body.name);
      expect(reg.registry.watchStreams()).toBe(before + 1);
      stop.abort();
      // Nothing signals the server-side unsubscribe, so this one polls (with a deadline).
      await within(
        1_000,
        until(() => reg.registry.watchStreams() === before),
        "server-side unsubscribe",
      );
    });
  });
}
