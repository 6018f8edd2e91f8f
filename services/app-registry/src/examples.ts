/**
 * Example registrations for `bun run registry:seed`: the seed project's demo apps
 * (register_test_apps.py and init_db.py), made valid: no `status` on registration, one platform
 * each, device types from config/device-registry.json.
 */
import type { NewApplication } from "./application";
import { DuplicateNameError } from "./errors";
import type { Registry } from "./registry";

export const EXAMPLE_APPLICATIONS: NewApplication[] = [
  {
    name: "Smart Breaker Dashboard",
    description: "Real-time monitoring dashboard for smart breaker devices",
    version: "1.0.0",
    developer: "IoT Platform Team",
    contactEmail: "dashboard@iot-platform.com",
    category: "monitoring",
    platform: "web",
    deviceTypes: ["smart_breaker"],
  },
  {
    name: "Power Analytics Engine",
    description: "Advanced analytics and reporting for electrical power data",
    version: "2.1.0",
    developer: "Data Science Team",
    contactEmail: "analytics@iot-platform.com",
    category: "analytics",
    platform: "api",
    deviceTypes: ["smart_breaker", "smart_meter"],
  },
  {
    name: "Maintenance Scheduler",
    description: "Predictive maintenance scheduling based on device health data",
    version: "1.5.0",
    developer: "Operations Team",
    contactEmail: "maintenance@iot-platform.com",
    category: "operations",
    platform: "web",
    deviceTypes: ["smart_breaker"],
  },
  {
    name: "Environmental Monitor",
    description: "Environmental sensor data collection and analysis",
    version: "1.0.0",
    developer: "Environmental Team",
    contactEmail: "env@iot-platform.com",
    category: "monitoring",
    platform: "mobile",
    deviceTypes: ["environmental_sensor"],
  },
  {
    name: "Energy Analytics",
    description: "Energy consumption analytics",
    version: "2.1.0",
    developer: "Energy Corp",
    contactEmail: "analytics@energycorp.com",
    category: "analytics",
    platform: "mobile",
    deviceTypes: ["smart_meter"],
  },
];

export type Outcome = "created" | "exists";

/** Registers each example once; a name already taken counts as done, so running it again changes nothing. */
export async function seedExamples(register: (app: NewApplication) => Promise<Outcome>) {
  const outcomes: Record<string, Outcome> = {};
  for (const app of EXAMPLE_APPLICATIONS) outcomes[app.name] = await register(app);
  return outcomes;
}

/** The examples registered straight through the domain (no HTTP), as the seed script and the all-in-one do. */
export function seedExamplesInto(registry: Registry) {
  return seedExamples(async (app): Promise<Outcome> => {
    try {
      await registry.register(app);
      return "created";
    } catch (e) {
      if (e instanceof DuplicateNameError) return "exists";
      throw e;
    }
  });
}

/** The examples, once: a registry that has any application is left as it is. True when it seeded. */
export async function seedExamplesOnFirstRun(registry: Registry): Promise<boolean> {
  const { total } = await registry.list({ limit: 1, offset: 0 });
  if (total > 0) return false;
  await seedExamplesInto(registry);
  return true;
}
