/**
 * In-process pub/sub on plain string topics (`jobs/<id>`, `jobs/*`). Publishing
 * calls each subscriber synchronously: there is no queue and no timer between a
 * job's progress update and the write to every SSE connection.
 */
export type Listener<T> = (message: T) => void;

export class Broker<T> {
  private readonly topics = new Map<string, Set<Listener<T>>>();

  /**
   * Returns an idempotent unsubscribe function. The listener itself is the
   * subscription (no wrapper per subscriber): subscribe a fresh function each
   * time, as every stream does; the same function twice is one subscription.
   */
  subscribe(topic: string, listener: Listener<T>): () => void {
    let set = this.topics.get(topic);
    if (!set) this.topics.set(topic, (set = new Set()));
    set.add(listener);
    return () => this.unsubscribe(topic, listener);
  }

  unsubscribe(topic: string, listener: Listener<T>): void {
    const s = this.topics.get(topic);
    if (!s || !s.delete(listener)) return;
    if (s.size === 0) this.topics.delete(topic);
  }

  publish(topic: string, message: T): void {
    const set = this.topics.get(topic);
    if (!set) return;
    for (const listener of set) listener(message);
  }

  /** Subscribers of one topic, or of all topics. */
  count(topic?: string): number {
    if (topic !== undefined) return this.topics.get(topic)?.size ?? 0;
    let n = 0;
    for (const s of this.topics.values()) n += s.size;
    return n;
  }
}
