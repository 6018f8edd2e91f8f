/** AlarmsService: decode → the same calls as REST → encode. */
import { type ConnectRouter, Code, ConnectError } from "@connectrpc/connect";
import { timestampMs } from "@bufbuild/protobuf/wkt";
import { AlarmsService, Severity as SeverityPb } from "@gen/iot/alarms/v1/alarms_pb";
import { alarmEventPb, alarmPb, SEVERITY_PB, severityOfPb } from "../alarm-proto";
import type { AlarmsApi } from "../alarms-api";
import { ruleJson } from "../http/rule-json";

export const alarmsService = (api: AlarmsApi) => (router: ConnectRouter) =>
  router.service(AlarmsService, {
    async listActiveAlarms(req) {
      if (req.severity !== SeverityPb.UNSPECIFIED && !severityOfPb(req.severity))
        throw new ConnectError(`severity: unknown value ${req.severity}`, Code.InvalidArgument);
      const alarms = await api.listActive({
        deviceId: req.deviceId,
        deviceType: req.deviceType,
        severity: severityOfPb(req.severity),
      });
      return { alarms: alarms.map(alarmPb) };
    },
    async listAlarmHistory(req) {
      const events = await api.history({
        ...(req.from && { from: timestampMs(req.from) }),
        ...(req.to && { to: timestampMs(req.to) }),
        deviceId: req.deviceId,
        ...(req.limit !== 0 && { limit: req.limit }),
      });
      return { events: events.map(alarmEventPb) };
    },
    acknowledgeAlarm: async (req) => ({ alarm: alarmPb(await api.acknowledge(req.alarmId, req.by, req.note)) }),
    async *watchAlarms(req, ctx) {
      for await (const event of api.watch(ctx.signal, req.deviceId || undefined)) yield { event: alarmEventPb(event) };
    },
    listRules: (req) => ({
      rules: api.rules(req.deviceType || undefined).map(({ deviceType, rule }) => {
        const r = ruleJson(deviceType, rule);
        return {
          deviceType,
          id: r.id,
          name: r.name,
          kind: r.kind,
          metric: r.metric,
          condition: r.condition,
          clear: r.clear,
          forSeconds: r.for_seconds,
          severity: SEVERITY_PB[rule.severity],
          message: r.message,
        };
      }),
    }),
    validateRules: (req) => api.validate(req.registryJson),
  });
