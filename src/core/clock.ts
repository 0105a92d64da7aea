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
