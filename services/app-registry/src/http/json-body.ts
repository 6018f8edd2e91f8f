import { HttpError } from "./errors";

export const MAX_BODY_BYTES = 64 * 1024;

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

/** The request body as JSON: 415 unless declared JSON, 413 over 64 KiB, 400 when malformed. */
export async function readJson(request: Request): Promise<unknown> {
  if (!JSON_TYPE.test(request.headers.get("content-type") ?? "")) throw new HttpError(415, "Content-Type must be application/json");
  const tooLarge = new HttpError(413, `Request body is larger than ${MAX_BODY_BYTES} bytes`);
  if (Number(request.headers.get("content-length")) > MAX_BODY_BYTES) throw tooLarge;
  const bytes = await request.arrayBuffer();
  if (bytes.byteLength > MAX_BODY_BYTES) throw tooLarge;
  try {
    return JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch {
    throw new HttpError(400, "Malformed JSON body");
  }
}
