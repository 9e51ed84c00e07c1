/**
 * One run per key at a time: callers asking for a key already in flight share its promise, so
 * concurrent pulls of the same tag or blob cost one upstream fetch.
 */
export class SingleFlight {
  private readonly running = new Map<string, Promise<unknown>>();

  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const current = this.running.get(key);
    if (current) return current as Promise<T>;
    const started = work().finally(() => this.running.delete(key));
    this.running.set(key, started);
    return started;
  }

  inFlight(key: string): Promise<unknown> | undefined {
    return this.running.get(key);
  }
}
