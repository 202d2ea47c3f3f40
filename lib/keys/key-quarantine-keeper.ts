import type { ProviderId } from '../model/provider-ids.js';
import type { DomainLogger } from '../observability/logger.js';
import type { DataLayerMetrics } from '../observability/metrics.js';
import type { FailureKind } from '../providers/provider.js';
import { isRetestDue, type KeyQuarantineOptions, retestVerdict } from './key-quarantine.js';
import { isQuarantined, type KeyState, type KeyStates } from './key-states.js';
import type { ProviderKey } from './secrets-layout.js';

/** A DynamoDB fault the keeper went on without: the broker logs it like its own. */
export type StoreFault = (operation: string, provider: ProviderId, keyId: string, error: unknown) => void;

/** What a keeper needs; `now` is epoch ms. */
export interface KeyQuarantineKeeperDeps {
  states: KeyStates;
  metrics: DataLayerMetrics;
  logger: DomainLogger;
  options: KeyQuarantineOptions;
  storeFailed: StoreFault;
}

/**
 * The quarantine's side of the key broker, one container's share of it: counts invalid-key answers
 * fleet-wide and quarantines at the threshold, ends a run of them when the key is accepted, claims
 * due re-tests and judges them. Without DynamoDB it keeps what it can in memory: invalid answers
 * counted alone, and a quarantine held until its re-test would be due. Never throws.
 */
export class KeyQuarantineKeeper {
  /** Invalid-key runs counted in memory while DynamoDB failed, by `${provider}#${keyId}`. */
  readonly #localRuns = new Map<string, { count: number; since: number }>();
  /** Quarantines this container decided but could not write, by `${provider}#${keyId}`. */
  readonly #localHolds = new Map<string, { addedAt?: string; until: number }>();
  /**
   * Re-tests this container claimed and has not heard back from, by `${provider}#${keyId}`: the
   * `quarantinedAt` of the quarantine each tests, the only one its verdict may lift.
   */
  readonly #retesting = new Map<string, number>();

  constructor(private readonly deps: KeyQuarantineKeeperDeps) {}

  /** Whether this container holds the key out of service on its own (a quarantine it could not write). */
  heldLocally(provider: ProviderId, key: ProviderKey, now: number): boolean {
    const hold = this.#localHolds.get(`${provider}#${key.id}`);
    if (!hold || hold.until <= now) return false;
    return hold.addedAt === undefined || hold.addedAt === key.addedAt;
  }

  /** One invalid-key answer for the key (the value added at `addedAt`); at the threshold, a quarantine. */
  async rejected(provider: ProviderId, keyId: string, addedAt: string | undefined, now: number) {
    const { threshold, windowMs } = this.deps.options;
    let count: number;
    try {
      count = (await this.deps.states.countInvalid(provider, keyId, windowMs)).state.invalidAnswers ?? 1;
    } catch (error) {
      this.deps.storeFailed('count invalid answer', provider, keyId, error);
      count = this.#countLocally(`${provider}#${keyId}`, now);
    }
    if (count >= threshold) return this.#quarantine(provider, keyId, addedAt, now);
    this.deps.logger.info('provider key rejected; quarantined only if the rejection repeats', {
      provider,
      keyId,
      invalidAnswers: count,
      threshold,
    });
  }

  /** The provider accepted the key: a run of invalid answers on record (as last read) ends. */
  async accepted(provider: ProviderId, keyId: string): Promise<void> {
    this.#localRuns.delete(`${provider}#${keyId}`);
    if (this.deps.states.lastKnown(provider).get(keyId)?.invalidAnswers === undefined) return;
    try {
      await this.deps.states.clearInvalid(provider, keyId);
    } catch (error) {
      this.deps.storeFailed('clear invalid answers', provider, keyId, error);
    }
  }

  /**
   * The first quarantined key of `keys` whose re-test is due and which this container claims: one
   * conditional write, of racing containers one wins. The caller leases it for the request's call
   * and reports the outcome, which `judge` turns into the verdict.
   */
  async claimRetest(
    provider: ProviderId,
    keys: readonly ProviderKey[],
    states: Map<string, KeyState>,
    now: number,
  ): Promise<ProviderKey | null> {
    const { retestMs } = this.deps.options;
    for (const key of keys) {
      const state = states.get(key.id);
      if (state?.quarantinedAt === undefined || !isQuarantined(state, key)) continue;
      const quarantinedAt = state.quarantinedAt;
      if (!isRetestDue({ quarantinedAt, retestAt: state.retestAt }, now, retestMs)) continue;
      try {
        if (!(await this.deps.states.claimRetest(provider, state, now + retestMs)).won) continue;
      } catch (error) {
        this.deps.storeFailed('claim re-test', provider, key.id, error);
        continue;
      }
      this.#retesting.set(`${provider}#${key.id}`, quarantinedAt);
      return key;
    }
    return null;
  }

  /** Forgets a claimed re-test whose call was never made, so a later ordinary lease is not judged as one. */
  forgetRetest(provider: ProviderId, keyId: string): void {
    this.#retesting.delete(`${provider}#${keyId}`);
  }

  /**
   * The verdict on a re-test lease, when the lease was one (`false` otherwise): accepted → the key is
   * released fleet-wide; rejected or inconclusive → it waits for the next re-test.
   */
  async judge(provider: ProviderId, keyId: string, outcome: 'ok' | FailureKind): Promise<boolean> {
    const quarantinedAt = this.#retesting.get(`${provider}#${keyId}`);
    if (quarantinedAt === undefined) return false;
    this.#retesting.delete(`${provider}#${keyId}`);
    const verdict = retestVerdict(outcome);
    const context = { provider, keyId, outcome };
    if (verdict !== 'released') {
      this.deps.metrics.keyRetest(provider, verdict);
      this.deps.logger.info('quarantined provider key re-tested; it stays quarantined', context);
      return true;
    }
    try {
      // Lost only when the quarantine changed meanwhile (an operator, a new value): nothing to lift.
      const write = await this.deps.states.releaseAfterRetest(provider, keyId, quarantinedAt);
      if (write.won) {
        this.deps.metrics.keyRetest(provider, 'released');
        this.deps.logger.warn('provider key released: the provider accepts it again', context);
      }
    } catch (error) {
      this.deps.storeFailed('release after re-test', provider, keyId, error);
    }
    return true;
  }

  async #quarantine(provider: ProviderId, keyId: string, addedAt: string | undefined, now: number) {
    const name = `${provider}#${keyId}`;
    this.#localRuns.delete(name);
    try {
      const write = await this.deps.states.quarantine(provider, keyId, 'invalid_key', addedAt);
      if (!write.won) return;
      this.deps.metrics.keyQuarantined(provider);
      this.deps.logger.warn('provider key quarantined: the provider rejected it repeatedly', {
        provider,
        keyId,
        threshold: this.deps.options.threshold,
      });
    } catch (error) {
      const until = now + this.deps.options.retestMs;
      this.#localHolds.set(name, addedAt === undefined ? { until } : { addedAt, until });
      this.deps.storeFailed('quarantine', provider, keyId, error);
    }
  }

  #countLocally(name: string, now: number): number {
    const run = this.#localRuns.get(name);
    const current =
      run && run.since > now - this.deps.options.windowMs
        ? { ...run, count: run.count + 1 }
        : { count: 1, since: now };
    this.#localRuns.set(name, current);
    return current.count;
  }
}
