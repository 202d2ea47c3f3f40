import { mulberry32 } from '../sandbox/random.js';
import { DATA_OPERATIONS, type DynamoDbProxyKnobs, WRITE_OPERATIONS } from './knobs.js';

/**
 * Which calls the knobs throttle or cut off, drawn from one stream seeded by `seed`: the same knobs and the
 * same sequence of calls fault the same calls. Made anew whenever the knobs change, so every test that
 * sets its knobs starts the stream from the beginning.
 */
export class FaultDraws {
  readonly #knobs: DynamoDbProxyKnobs;
  readonly #random: () => number;

  constructor(knobs: DynamoDbProxyKnobs) {
    this.#knobs = knobs;
    this.#random = mulberry32(knobs.seed);
  }

  /** Whether this operation can be throttled at all under the knobs (before any partition or draw). */
  mayThrottle(operation: string): boolean {
    const { throttleShare } = this.#knobs;
    const items: readonly string[] = DATA_OPERATIONS;
    const chosen: readonly string[] = this.#knobs.throttleOperations;
    if (throttleShare <= 0 || !items.includes(operation)) return false;
    return chosen.length === 0 || chosen.includes(operation);
  }

  /**
   * Draws whether a call (or one entry of a batch) touching these partition key values is throttled: only
   * when it touches the throttled partition, if one is set, and then with probability `throttleShare`.
   */
  throttles(operation: string, partitions: readonly (string | undefined)[]): boolean {
    if (!this.mayThrottle(operation)) return false;
    const { throttlePartition, throttleShare } = this.#knobs;
    if (throttlePartition !== undefined && !partitions.includes(throttlePartition)) return false;
    return this.#random() < throttleShare;
  }

  /** Whether calls on this partition key value are eligible: every one when no partition is named. */
  isThrottledPartition(partition: string | undefined): boolean {
    const { throttlePartition } = this.#knobs;
    return throttlePartition === undefined || partition === throttlePartition;
  }

  /** Draws whether a write, once applied, loses its reply. */
  dropsReply(operation: string): boolean {
    const { dropAfterApplyShare, dropAfterApplyOperations } = this.#knobs;
    const writes: readonly string[] = WRITE_OPERATIONS;
    if (dropAfterApplyShare <= 0 || !writes.includes(operation)) return false;
    const chosen: readonly string[] = dropAfterApplyOperations;
    if (chosen.length > 0 && !chosen.includes(operation)) return false;
    return this.#random() < dropAfterApplyShare;
  }
}
