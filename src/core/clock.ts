/** Time and timers, injected so tests can move time without waiting. */
export interface Clock {
  now(): number;
  setTimeout(callback: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

export interface TimerHandle {
  readonly id: unknown;
}

// setTimeout takes at most a signed 32-bit delay; longer delays fire at once in Node.
const MAX_DELAY_MS = 2 ** 31 - 1;

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => {
    const timer = setTimeout(callback, Math.max(0, Math.min(ms, MAX_DELAY_MS)));
    // A pending expiry timer must never keep a process (tests, benchmarks) alive.
    timer.unref?.();
    return { id: timer };
  },
  clearTimeout: (handle) => clearTimeout(handle.id as NodeJS.Timeout),
};

/** Counts the timers a clock hands out, so the benchmark can prove an idle window schedules none. */
export class CountingClock implements Clock {
  private scheduled = 0;
  private readonly live = new Set<unknown>();

  constructor(private readonly inner: Clock) {}

  now(): number {
    return this.inner.now();
  }

  setTimeout(callback: () => void, ms: number): TimerHandle {
    this.scheduled++;
    const handle: TimerHandle = this.inner.setTimeout(() => {
      this.live.delete(handle.id);
      callback();
    }, ms);
    this.live.add(handle.id);
    return handle;
  }

  clearTimeout(handle: TimerHandle): void {
    this.live.delete(handle.id);
    this.inner.clearTimeout(handle);
  }

  counts(): { scheduled: number; pending: number } {
    return { scheduled: this.scheduled, pending: this.live.size };
  }
}
