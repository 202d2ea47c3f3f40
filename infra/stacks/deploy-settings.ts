import type { Node } from 'constructs';

/**
 * What an operator may change per deployment, with `-c name=value` on the CDK command line
 * (or `context` in `cdk.json`). Everything else is fixed in code.
 */
export interface DeploySettings {
  /** Keep the table, key, secrets and log groups when the stack is deleted. `-c retain=false` for dev teardown. */
  readonly retain: boolean;
  /** Steady-state requests a second per client API key (`-c throttleRate=50`). */
  readonly throttleRate: number;
  /** Burst capacity per client API key (`-c throttleBurst=100`). */
  readonly throttleBurst: number;
  /** Requests a day per client API key (`-c quotaPerDay=100000`). */
  readonly quotaPerDay: number;
}

/** The defaults when no context is given. */
export const DEFAULT_DEPLOY_SETTINGS: DeploySettings = {
  retain: true,
  throttleRate: 50,
  throttleBurst: 100,
  quotaPerDay: 100_000,
};

/**
 * Reads the deploy settings from CDK context. Context from the command line arrives as strings,
 * from `cdk.json` or tests as JSON values, so both forms are accepted; anything else fails synth
 * with a message naming the flag, rather than deploying a surprising limit.
 */
export function readDeploySettings(node: Node): DeploySettings {
  return {
    retain: readBoolean(node, 'retain', DEFAULT_DEPLOY_SETTINGS.retain),
    throttleRate: readPositiveNumber(node, 'throttleRate', DEFAULT_DEPLOY_SETTINGS.throttleRate),
    throttleBurst: readPositiveInteger(node, 'throttleBurst', DEFAULT_DEPLOY_SETTINGS.throttleBurst),
    quotaPerDay: readPositiveInteger(node, 'quotaPerDay', DEFAULT_DEPLOY_SETTINGS.quotaPerDay),
  };
}

/** Days between rotations of each provider key pool when no `-c keyRotationDays=N` is given. */
export const DEFAULT_KEY_ROTATION_DAYS = 30;

/**
 * `-c keyRotationDays=N`: days between scheduled rotations of the provider key pools, 1 to 1000 (the
 * range Secrets Manager accepts). Read on its own, by the DataStack that owns the schedules.
 */
export function readKeyRotationDays(node: Node): number {
  const days = readPositiveInteger(node, 'keyRotationDays', DEFAULT_KEY_ROTATION_DAYS);
  if (days > 1000) throw new Error(`Context "keyRotationDays" must be at most 1000, got ${days}.`);
  return days;
}

function readBoolean(node: Node, name: string, fallback: boolean): boolean {
  const raw: unknown = node.tryGetContext(name);
  if (raw === undefined) return fallback;
  if (raw === true || raw === 'true') return true;
  if (raw === false || raw === 'false') return false;
  throw new Error(`Context "${name}" must be true or false, got ${JSON.stringify(raw)}.`);
}

function readPositiveNumber(node: Node, name: string, fallback: number): number {
  const raw: unknown = node.tryGetContext(name);
  if (raw === undefined) return fallback;
  const value = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new Error(`Context "${name}" must be a positive number, got ${JSON.stringify(raw)}.`);
  }
  return value;
}

function readPositiveInteger(node: Node, name: string, fallback: number): number {
  const value = readPositiveNumber(node, name, fallback);
  if (!Number.isInteger(value)) {
    throw new Error(`Context "${name}" must be a whole number, got ${value}.`);
  }
  return value;
}
