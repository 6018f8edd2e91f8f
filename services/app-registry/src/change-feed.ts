/**
 * The registry's change events. Every committed create/update/delete is published here; the
 * Watch RPC (and anything embedding the registry, e.g. the all-in-one process) subscribes.
 * In-process only: a change written by another process (another replica) is not seen here.
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

export type ChangeListener = (change: ApplicationChange) => void;

export interface ChangeFeed {
  publish(change: ApplicationChange): void;
  /** Returns the unsubscribe function. `onClose` runs once if the feed closes first. */
  subscribe(listener: ChangeListener, onClose?: () => void): () => void;
  /** Ends every subscription (the service is stopping). */
  close(): void;
  readonly subscribers: number;
}

/**
 * `onListenerError` receives what a listener throws: a faulty subscriber must neither fail the
 * write that was already committed nor starve the subscribers after it.
 */
export function createChangeFeed(onListenerError: (error: unknown) => void): ChangeFeed {
  const subscribers = new Map<ChangeListener, (() => void) | undefined>();
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
