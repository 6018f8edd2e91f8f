/** Alarm events as records on `iot.alarms`: key device id, JSON or protobuf by PAYLOAD_FORMAT. */
import { toBinary } from "@bufbuild/protobuf";
import { AlarmEventSchema } from "@gen/iot/alarms/v1/alarms_pb";
import type { OutgoingRecord } from "@iot/common/bus";
import type { PayloadFormat } from "@iot/common/codec";
import { CONTENT_TYPE, HEADER } from "@iot/common/wire";
import type { AlarmEvent } from "./alarm";
import { alarmEventJson } from "./alarm-json";
import { alarmEventPb } from "./alarm-proto";

const utf8 = new TextEncoder();

export function alarmRecord(e: AlarmEvent, format: PayloadFormat): OutgoingRecord {
  if (format === "json")
    return {
      key: e.alarm.deviceId,
      value: utf8.encode(JSON.stringify(alarmEventJson(e))),
      headers: { [HEADER.contentType]: CONTENT_TYPE.json },
    };
  return {
    key: e.alarm.deviceId,
    value: toBinary(AlarmEventSchema, alarmEventPb(e)),
    headers: { [HEADER.contentType]: CONTENT_TYPE.protobuf, [HEADER.messageType]: AlarmEventSchema.typeName },
  };
}
