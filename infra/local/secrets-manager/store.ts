import { randomInt } from 'node:crypto';
import { markedForDeletion, secretNotFound } from './errors.js';
import { ACCOUNT_ID, type Secret } from './model.js';

const SUFFIX_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/**
 * The secrets of one region. AWS keeps regions apart, so the emulator keeps one store per region
 * named in the request's SigV4 credential scope.
 */
export class SecretStore {
  readonly #secrets = new Map<string, Secret>();

  constructor(
    readonly region: string,
    private readonly now: () => Date,
  ) {}

  /**
   * AWS appends six random characters to the name in the ARN, so a secret created again under an old
   * name never matches grants written for the old one.
   */
  arnFor(name: string): string {
    const suffix = Array.from({ length: 6 }, () => SUFFIX_ALPHABET[randomInt(SUFFIX_ALPHABET.length)]);
    return `arn:aws:secretsmanager:${this.region}:${ACCOUNT_ID}:secret:${name}-${suffix.join('')}`;
  }

  add(secret: Secret): void {
    this.#secrets.set(secret.name, secret);
  }

  remove(secret: Secret): void {
    this.#secrets.delete(secret.name);
  }

  /** Every secret still held, scheduled deletions included, in creation order. */
  all(): Secret[] {
    return [...this.#secrets.values()].filter((secret) => !this.#purgeIfDue(secret));
  }

  /**
   * A secret by name, full ARN, or partial ARN (the ARN without the random suffix), as AWS accepts.
   * Secrets scheduled for deletion are returned: callers decide whether that state is allowed.
   */
  find(secretId: string): Secret | undefined {
    const secret = secretId.startsWith('arn:') ? this.#findByArn(secretId) : this.#secrets.get(secretId);
    return secret && !this.#purgeIfDue(secret) ? secret : undefined;
  }

  #findByArn(arn: string): Secret | undefined {
    const partialName = arn.split(':secret:')[1];
    return (
      [...this.#secrets.values()].find((secret) => secret.arn === arn) ??
      (partialName === undefined ? undefined : this.#secrets.get(partialName))
    );
  }

  /** Deletion happens when the recovery window ends; checking on access keeps the emulator timer-free. */
  #purgeIfDue(secret: Secret): boolean {
    if (!secret.deletion || secret.deletion.due > this.now()) return false;
    this.remove(secret);
    return true;
  }
}

/** The secret `secretId` names, or ResourceNotFoundException; a scheduled deletion still counts. */
export function findSecret(store: SecretStore, secretId: string): Secret {
  const secret = store.find(secretId);
  if (!secret) throw secretNotFound();
  return secret;
}

/** As {@link findSecret}, for the operations AWS refuses while a secret is scheduled for deletion. */
export function findLiveSecret(store: SecretStore, secretId: string): Secret {
  const secret = findSecret(store, secretId);
  if (secret.deletion) throw markedForDeletion();
  return secret;
}
