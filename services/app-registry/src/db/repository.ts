/** The one storage interface; SQLite and PostgreSQL implement it with the same behaviour. */
import type { Application, Platform, Status } from "../application";

export interface ApplicationFilter {
  status?: Status;
  platform?: Platform;
  category?: string;
  /** Registered for any of these (exact ids). */
  deviceTypes?: string[];
}

export interface Page {
  limit: number;
  offset: number;
}

/** A new row: the application plus what only storage sees. */
export type ApplicationInsert = Application & { nameKey: string; apiKeyHash: string; webhookSecret?: string };

/** What the delivery service needs to sign webhooks and check stream api keys; never shown to readers. */
export interface DeliveryCredentials {
  apiKeyHash: string;
  webhookSecret: string | null;
}

/** Columns to change; `deviceTypes`, when present, replaces the whole list. */
export type ApplicationUpdate = Partial<
  Omit<ApplicationInsert, "id" | "createdAt" | "apiKeyHash" | "webhookSecret">
> & { updatedAt: Date };

export interface ApplicationRepository {
  /** Throws DuplicateNameError when the name is taken (case-insensitively). */
  insert(row: ApplicationInsert): Promise<Application>;
  get(id: string): Promise<Application | undefined>;
  /** Ordered by creation time, then id (stable across pages). */
  find(filter: ApplicationFilter, page?: Page): Promise<Application[]>;
  count(filter: ApplicationFilter): Promise<number>;
  /** Atomic; undefined when there is no such application. Throws DuplicateNameError. */
  update(id: string, changes: ApplicationUpdate): Promise<{ before: Application; after: Application } | undefined>;
  /** The application as it was, or undefined. */
  delete(id: string): Promise<Application | undefined>;
  setApiKeyHash(id: string, hash: string): Promise<boolean>;
  setWebhookSecret(id: string, secret: string): Promise<boolean>;
  credentials(id: string): Promise<DeliveryCredentials | undefined>;
  /** Throws when the database cannot be reached. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
