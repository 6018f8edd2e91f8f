/**
 * Errors are answered here, once for every route: a registry that cannot be used becomes a notice
 * (a partial for htmx requests, the applications page otherwise); anything unexpected is logged and
 * answered without its internal message.
 */
import { errorMessage, type Logger } from "@iot/common/logger";
import { Elysia } from "elysia";
import { RegistryError } from "../registry/client";
import { applicationsPage, errorNotice, noticeRegion } from "../views/applications";
import { deviceAdminErrorPage } from "../views/device-admin";
import { partial } from "../views/layout";
import { htmlResponse } from "./respond";

export const errorResponses = (log: Logger) =>
  new Elysia({ name: "dashboard-errors" }).onError({ as: "global" }, ({ code, error, request, set }) => {
    if (error instanceof RegistryError) {
      if (request.headers.get("hx-request") === "true") return htmlResponse(partial({ ...noticeRegion(errorNotice(error.message)), swap: "innerHTML" }), 502);
      const onDevices = new URL(request.url).pathname.startsWith("/admin/devices");
      return htmlResponse(onDevices ? deviceAdminErrorPage(error.message) : applicationsPage({ error: error.message }), 502);
    }
    if (code === "NOT_FOUND") return "Not found";
    log.error("request failed", { error: errorMessage(error) });
    set.status = 500;
    return "The dashboard could not answer this request.";
  });
