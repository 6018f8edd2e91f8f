/** Device inputs as REST spells them: snake_case JSON and query keys; the label filter is the repeatable `label`. */
import { deviceIdInput, devicePatch, deviceQuery, newDevice } from "../devices/device-input";
import { onWire } from "../input";
import { restNames } from "./rest-input";

export const deviceRestInput = {
  newDevice: onWire(newDevice, restNames(newDevice)),
  devicePatch: onWire(devicePatch, restNames(devicePatch)),
  deviceQuery: onWire(deviceQuery, restNames(deviceQuery, { labels: "label" }), { unknownFields: "ignore" }),
  deviceId: onWire(deviceIdInput, restNames(deviceIdInput), { unknownFields: "ignore" }),
};
