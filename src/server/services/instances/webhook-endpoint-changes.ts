// For in-process caches keyed by webhook token (the ingest front's lookup cache): after a
// rotation commits, the process that rotated calls every listener with the token whose cached
// row is now stale — the old token after a URL rotation (it must answer 404), the unchanged token
// after a signing-secret rotation (its cached ciphertext is old). Other processes only learn it
// through their cache's own expiry, so keep that short.

export type WebhookEndpointChange = { token: string; reason: "url-rotated" | "signing-secret-rotated" };
type Listener = (change: WebhookEndpointChange) => void;

const listeners = new Set<Listener>();

/** Returns the unsubscribe function. */
export function onWebhookEndpointChanged(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function notifyWebhookEndpointChanged(change: WebhookEndpointChange): void {
  for (const listener of listeners) {
    try {
      listener(change);
    } catch {
      // a cache's failure must not fail the rotation, which has committed
    }
  }
}
