/**
 * What one gateway tells the others (and itself) so caches drop what is no longer true: a revoked key must stop
 * working at once, and a disabled person's Copilot session must end. In memory here; Redis pub/sub in a cluster.
 */
export type TeamEvent =
  | { type: "key_revoked"; login: string; keyId: string; keyHash: string }
  | { type: "user_disabled"; login: string }
  /** The person's sealed GitHub token changed (new sign-in): drop their Copilot session so the next request uses it. */
  | { type: "user_token_changed"; login: string };

export interface TeamEvents {
  publish(event: TeamEvent): Promise<void>;
  /** Returns the function that unsubscribes. */
  subscribe(listener: (event: TeamEvent) => void): () => void;
  close(): Promise<void>;
}

export function createMemoryTeamEvents(): TeamEvents {
  const listeners = new Set<(event: TeamEvent) => void>();
  return {
    async publish(event) {
      for (const listener of [...listeners]) listener(event);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      listeners.clear();
    },
  };
}
