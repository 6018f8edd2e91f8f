/**
 * The alarms service's one write, acknowledging, is an admin's (the platform's rule in
 * common/admin-access), over REST and RPC alike; reads and rule validation are open.
 */
import { AlarmsService } from "@gen/iot/alarms/v1/alarms_pb";
import type { AdminAccess } from "@iot/common/admin-access";
import { Elysia } from "elysia";

const RPC_ACKNOWLEDGE = `/${AlarmsService.typeName}/${AlarmsService.method.acknowledgeAlarm.name}`;
const REST_ACKNOWLEDGE = /^\/api\/alarms\/[^/]+\/acknowledge$/;

export const writeGate = (access: AdminAccess) =>
  new Elysia({ name: "alarm-write-gate" }).onBeforeHandle({ as: "global" }, ({ request, server }) => {
    const path = new URL(request.url).pathname;
    const rpc = path === RPC_ACKNOWLEDGE;
    if (!rpc && !(request.method === "POST" && REST_ACKNOWLEDGE.test(path))) return;
    const refused = access({
      authorization: request.headers.get("authorization"),
      remoteAddress: server?.requestIP(request)?.address,
    });
    if (!refused) return;
    const status = refused.kind === "unauthenticated" ? 401 : 403;
    // Connect's error body for RPC callers (its HTTP status carries the code to gRPC-Web clients too).
    const body = rpc ? { code: refused.kind, message: refused.message } : { error: refused.message };
    return Response.json(body, { status });
  });
