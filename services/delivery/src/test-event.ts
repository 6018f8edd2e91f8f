/** The operator's "send test event": one synthetic item, signed like any delivery, that never touches Kafka. */
import type { Target } from "./targets";

export function testEventBody(t: Target): { id: string; body: string } {
  const id = `test-${crypto.randomUUID()}`;
  const now = new Date().toISOString();
  return {
    id,
    body: JSON.stringify([
      {
        id,
        type: "delivery.test",
        data: { application_id: t.id, message: "Test event from the IoT platform's delivery service", sent_at: now },
      },
    ]),
  };
}
