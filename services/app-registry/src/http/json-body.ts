import { HttpError } from "./errors";

export const MAX_BODY_BYTES = 64 * 1024;

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

/** The request body as JSON: 415 unless declared JSON, 413 over `maxBytes` (64 KiB), 400 when malformed. */
export async function readJson(request: Request, maxBytes = MAX_BODY_BYTES): Promise<unknown> {
  if (!JSON_TYPE.test(request.headers.get("content-type") ?? ""))
    throw new HttpError(415, "Content-Type must be application/json");
  const text = await readText(request, maxBytes);
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, "Malformed JSON body");
  }
}

/** The request body as UTF-8 text: 413 over `maxBytes` (declared or sent), 400 when not UTF-8. */
export async function readText(request: Request, maxBytes: number): Promise<string> {
  const tooLarge = new HttpError(413, `Request body is larger than ${maxBytes} bytes`);
  if (Number(request.headers.get("content-length")) > maxBytes) throw tooLarge;
  const bytes = await request.arrayBuffer();
  if (bytes.byteLength > maxBytes) throw tooLarge;
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new HttpError(400, "Body is not UTF-8");
  }
}
