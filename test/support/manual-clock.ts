import { FakeClock } from './data-layer.js';

/**
 * A fake clock whose `sleep` parks until the test moves the clock, where `FakeClock.sleep` advances
 * at once. For tests of concurrent waiters: with `FakeClock`, a waiter's polls would race the clock
 * ahead while another request's real I/O is in flight; here every sleeper stays parked until
 * `wakeNext`, so the test decides when time passes. Starts at the machine's time, like `FakeClock`.
 */
export class ManualClock extends FakeClock {
  readonly #sleepers: { until: number; wake: () => void }[] = [];

  override sleep = (ms: number): Promise<void> =>
    new Promise<void>((wake) => {
      this.#sleepers.push({ until: this.now() + ms, wake });
    });

  /** How many sleeps are parked. */
  get sleeping(): number {
    return this.#sleepers.length;
  }

  /** Moves the clock to the earliest parked sleeper's wake time (never back) and wakes every sleeper due. */
  wakeNext(): void {
    const earliest = Math.min(...this.#sleepers.map((sleeper) => sleeper.until));
    if (!Number.isFinite(earliest)) return;
    if (earliest > this.now()) this.advance(earliest - this.now());
    for (const sleeper of this.#sleepers.filter((s) => s.until <= this.now())) {
      this.#sleepers.splice(this.#sleepers.indexOf(sleeper), 1);
      sleeper.wake();
    }
  }
}
