/**
 * Reads a form body within a size limit. Only url-encoded forms are accepted (what the dashboard's
 * pages send); anything else, too large or unreadable is refused here with a 4xx, never a 500.
 */
import { HttpRefusal } from "./refusal";

export async function readForm(request: Request, maxBytes: number): Promise<URLSearchParams> {
  const type = request.headers.get("content-type")?.split(";")[0]?.trim().toLowerCase();
  if (type !== "application/x-www-form-urlencoded")
    throw new HttpRefusal(415, "Send the form as application/x-www-form-urlencoded.");
  return new URLSearchParams(await readText(request, maxBytes));
}

/** The body as text, refusing (413) at the first byte beyond `maxBytes` whatever Content-Length claimed. */
async function readText(request: Request, maxBytes: number): Promise<string> {
  const tooLarge = () => new HttpRefusal(413, `The request body is larger than ${maxBytes} bytes.`);
  if (Number(request.headers.get("content-length") ?? 0) > maxBytes) throw tooLarge();
  if (!request.body) return "";
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for await (const chunk of request.body as unknown as AsyncIterable<Uint8Array>) {
      size += chunk.byteLength;
      if (size > maxBytes) throw tooLarge();
      chunks.push(chunk);
    }
  } catch (e) {
    if (e instanceof HttpRefusal) throw e;
    throw new HttpRefusal(400, "The request body could not be read.");
  }
  return new TextDecoder().decode(Buffer.concat(chunks));
}

/**
 * A form that may carry a file (multipart) or not (url-encoded), within `maxBytes`; a body that is
 * neither, too large or malformed is a 4xx.
 */
export async function readFormData(request: Request, maxBytes: number): Promise<FormData> {
  const type = request.headers.get("content-type")?.split(";")[0]?.trim().toLowerCase();
  if (type !== "multipart/form-data" && type !== "application/x-www-form-urlencoded")
    throw new HttpRefusal(415, "Send the form as multipart/form-data or application/x-www-form-urlencoded.");
  const text = await readText(request, maxBytes);
  try {
    return await new Response(text, { headers: { "content-type": request.headers.get("content-type")! } }).formData();
  } catch {
    throw new HttpRefusal(400, "The form could not be read.");
  }
}
