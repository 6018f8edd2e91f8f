import type { Application } from "../application";

/**
 * The seed's JSON shape (snake_case, `devicetypes`); the api key is never part of it, and the
 * contact e-mail (personal data) only when the caller is an admin.
 */
export const applicationJson = (a: Application, { contact }: { contact: boolean }) => ({
  id: a.id,
  name: a.name,
  description: a.description,
  version: a.version,
  developer: a.developer,
  ...(contact ? { contact_email: a.contactEmail } : {}),
  category: a.category,
  platform: a.platform,
  devicetypes: a.deviceTypes,
  status: a.status,
  webhook_url: a.webhookUrl ?? null,
  webhook_event_types: a.webhookEventTypes ?? [],
  created_at: a.createdAt.toISOString(),
  updated_at: a.updatedAt.toISOString(),
});

/** An application as the REST API answers it (what REST clients such as the dashboard read); `contact_email` only to admins. */
export type ApplicationJson = ReturnType<typeof applicationJson>;
