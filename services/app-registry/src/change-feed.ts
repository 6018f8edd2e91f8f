/**
 * The registry's change events. Every committed create/update/delete is published here; the
 * Watch RPC (and anything embedding the registry, e.g. the all-in-one process) subscribes.
 * In-process; with PostgreSQL, db/pg-notify-feed.ts relays every replica's changes into it.
 */
import type { Application } from "./application";

export type ChangeType = "created" | "updated" | "deleted";

export interface ApplicationChange {
  type: ChangeType;
  /** After the change; for "deleted", the application as it was. */
  application: Application;
  /** Before the change ("updated" only). */
  previous?: Application;
}

export type ChangeListener<C = ApplicationChange> = (change: C) => void;

/** Of applications by default; devices use the same feed of their own changes. */
export interface ChangeFeed<C = ApplicationChange> {
  publish(change: C): void;
  /** Returns the unsubscribe function. `onClose` runs once if the feed closes first. */
  subscribe(listener: ChangeListener<C>, onClose?: () => void): () => void;
  /** Ends every subscription (the service is stopping). */
  close(): void;
  /** Ends every subscription but stays open: watchers must re-subscribe (and re-read a snapshot) because changes may have been missed. */
  reset(): void;
  readonly subscribers: number;
}

/**
 * `onListenerError` receives what a listener throws: a faulty subscriber must neither fail the
 * write that was already committed nor starve the subscribers after it.
 */
export function createChangeFeed<C = ApplicationChange>(onListenerError: (error: unknown) => void): ChangeFeed<C> {
  const subscribers = new Map<ChangeListener<C>, (() => void) | undefined>();
  let closed = false;
  return {
    publish(change) {
      for (const listener of [...subscribers.keys()]) {
        try {
          listener(change);
        } catch (e) {
          onListenerError(e);
        }
      }
    },
    subscribe(listener, onClose) {
      if (closed) {
        onClose?.();
        return () => {};
      }
      subscribers.set(listener, onClose);
      return () => void subscribers.delete(listener);
    },
    close() {
      closed = true;
      this.reset();
    },
    reset() {
      const ends = [...subscribers.values()];
      subscribers.clear();
      for (const end of ends) end?.();
    },
    get subscribers() {
      return subscribers.size;
    },
  };
}

/** Whether a change concerns any of these device types, before or after it; [] means all. */
export function touches(change: ApplicationChange, deviceTypes: readonly string[]): boolean {
  if (deviceTypes.length === 0) return true;
  const seen = [...change.application.deviceTypes, ...(change.previous?.deviceTypes ?? [])];
  return seen.some((t) => deviceTypes.includes(t));
}
