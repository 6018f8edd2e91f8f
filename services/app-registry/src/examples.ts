/**
 * Example registrations for `bun run registry:seed`: the seed project's demo apps
 * (register_test_apps.py and init_db.py), made valid: no `status` on registration, one platform
 * each, device types from config/device-registry.json.
 */
import { DuplicateNameError } from "./errors";
import type { Registry } from "./registry";

export const EXAMPLE_APPLICATIONS = [
  {
    name: "Smart Breaker Dashboard",
    description: "Real-time monitoring dashboard for smart breaker devices",
    version: "1.0.0",
    developer: "IoT Platform Team",
    contact_email: "dashboard@iot-platform.com",
    category: "monitoring",
    platform: "web",
    devicetypes: ["smart_breaker"],
  },
  {
    name: "Power Analytics Engine",
    description: "Advanced analytics and reporting for electrical power data",
    version: "2.1.0",
    developer: "Data Science Team",
    contact_email: "analytics@iot-platform.com",
    category: "analytics",
    platform: "api",
    devicetypes: ["smart_breaker", "smart_meter"],
  },
  {
    name: "Maintenance Scheduler",
    description: "Predictive maintenance scheduling based on device health data",
    version: "1.5.0",
    developer: "Operations Team",
    contact_email: "maintenance@iot-platform.com",
    category: "operations",
    platform: "web",
    devicetypes: ["smart_breaker"],
  },
  {
    name: "Environmental Monitor",
    description: "Environmental sensor data collection and analysis",
    version: "1.0.0",
    developer: "Environmental Team",
    contact_email: "env@iot-platform.com",
    category: "monitoring",
    platform: "mobile",
    devicetypes: ["environmental_sensor"],
  },
  {
    name: "Energy Analytics",
    description: "Energy consumption analytics",
    version: "2.1.0",
    developer: "Energy Corp",
    contact_email: "analytics@energycorp.com",
    category: "analytics",
    platform: "mobile",
    devicetypes: ["smart_meter"],
  },
];

export type Outcome = "created" | "exists";

/** Registers each example once; a name already taken counts as done, so running it again changes nothing. */
export async function seedExamples(register: (body: (typeof EXAMPLE_APPLICATIONS)[number]) => Promise<Outcome>) {
  const outcomes: Record<string, Outcome> = {};
  for (const app of EXAMPLE_APPLICATIONS) outcomes[app.name] = await register(app);
  return outcomes;
}

/** The examples registered straight through the domain (no HTTP), as the seed script and the all-in-one do. */
export function seedExamplesInto(registry: Registry) {
  return seedExamples(async (body): Promise<Outcome> => {
    try {
      await registry.register(body);
      return "created";
    } catch (e) {
      if (e instanceof DuplicateNameError) return "exists";
      throw e;
    }
  });
}

/** The examples, once: a registry that has any application is left as it is. True when it seeded. */
export async function seedExamplesOnFirstRun(registry: Registry): Promise<boolean> {
  const { total } = await registry.list({ limit: "1" });
  if (total > 0) return false;
  await seedExamplesInto(registry);
  return true;
}
