import type { DescMessage } from "@bufbuild/protobuf";
import type { Input, Names } from "../input";
import { onWire } from "../input";

/**
 * A domain input as a request message spells it: each domain field is the message field whose
 * local (camelCase) name it shares, reported by its proto name (`contact_email`). A domain field
 * the message lacks fails here, at start-up, not on some later request.
 */
export function inMessage<T>(input: Input<T>, message: DescMessage) {
  const names = Object.fromEntries(
    Object.keys(input.fields).map((key) => {
      const field = message.fields.find((f) => f.localName === key);
      if (!field) throw new Error(`${message.typeName} has no field for ${key}`);
      return [key, field.name];
    }),
  );
  return onWire(input, names as Names<T>);
}
