/**
 * Errors are answered here, once for every route: a refusal (HttpRefusal, or Elysia's own for a body
 * it could not parse) is a 4xx with its message; a registry that cannot be used is a 502 notice (a
 * partial for htmx requests, the applications page otherwise); anything unexpected is logged and
 * answered without its internal message.
 */
import { errorMessage, type Logger } from "@iot/common/logger";
import { Elysia } from "elysia";
import { RegistryError } from "../registry/client";
import { applicationsPage } from "../views/applications";
import { deviceAdminErrorPage } from "../views/device-admin";
import { HttpRefusal, refusal } from "./refusal";
import { htmlResponse } from "./respond";

/** Elysia's own refusals of what a client sent. */
const CLIENT_ERRORS: Record<string, [number, string]> = {
  PARSE: [400, "The request body could not be read."],
  VALIDATION: [400, "The request is not valid."],
  INVALID_COOKIE_SIGNATURE: [400, "A cookie is not valid."],
  INVALID_FILE_TYPE: [415, "That kind of upload is not accepted."],
};

export const errorResponses = (log: Logger) =>
  new Elysia({ name: "dashboard-errors" }).onError({ as: "global" }, ({ code, error, request, set }) => {
    if (error instanceof HttpRefusal) return refusal(request, error.status, error.message, error.headers);
    if (error instanceof RegistryError) {
      if (request.headers.get("hx-request") === "true") return refusal(request, 502, error.message);
      const onDevices = new URL(request.url).pathname.startsWith("/admin/devices");
      return htmlResponse(
        onDevices ? deviceAdminErrorPage(error.message) : applicationsPage({ error: error.message }),
        502,
      );
    }
    if (code === "NOT_FOUND") {
      set.status = 404;
      return "Not found";
    }
    const known = CLIENT_ERRORS[String(code)];
    if (known) return refusal(request, ...known);
    log.error("request failed", { error: errorMessage(error) });
    set.status = 500;
    return "The dashboard could not answer this request.";
  });
