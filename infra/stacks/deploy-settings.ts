import type { Node } from 'constructs';
import { configOverrideProblems } from '../../lib/config.js';

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
  /**
   * Configuration variables for every data function (`-c functionEnv='FMP_PLAN=paid;QUALITY_FLOOR=0.7'`,
   * or an object in `cdk.json`): checked at synth against what the functions read; never a key.
   */
  readonly functionEnvironment: Readonly<Record<string, string>>;
}

/** The defaults when no context is given. */
export const DEFAULT_DEPLOY_SETTINGS: DeploySettings = {
  retain: true,
  throttleRate: 50,
  throttleBurst: 100,
  quotaPerDay: 100_000,
  functionEnvironment: {},
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
    functionEnvironment: readFunctionEnvironment(node),
  };
}

/** `functionEnv` as `NAME=value;NAME=value` from the command line (values may hold commas), or an object from `cdk.json`. */
function readFunctionEnvironment(node: Node): Record<string, string> {
  const raw: unknown = node.tryGetContext('functionEnv');
  if (raw === undefined || raw === '') return {};
  let pairs: [string, string][];
  if (typeof raw === 'string') {
    pairs = raw.split(';').map((pair) => {
      const at = pair.indexOf('=');
      if (at <= 0) throw new Error(`Context "functionEnv" must be NAME=value pairs separated by semicolons.`);
      return [pair.slice(0, at).trim(), pair.slice(at + 1).trim()];
    });
  } else if (typeof raw === 'object' && raw !== null && !Array.isArray(raw)) {
    pairs = Object.entries(raw).map(([name, value]) => [name, String(value)]);
  } else {
    throw new Error(`Context "functionEnv" must be NAME=value pairs or an object.`);
  }
  const environment = Object.fromEntries(pairs);
  const problems = configOverrideProblems(environment);
  // Problems name variables, never values: a mistaken value could be a secret.
  if (problems.length > 0) throw new Error(`Context "functionEnv": ${problems.join('; ')}.`);
  return environment;
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

/**
 * Where alarms notify: `-c alarmEmail=ops@example.com` (the stack creates an encrypted SNS topic and
 * subscribes the address; AWS mails a confirmation link first), `-c alarmTopicArn=arn:aws:sns:…` (an
 * existing standard topic that lets CloudWatch publish), or neither (alarms without actions).
 */
export type AlarmNotification =
  | { readonly kind: 'none' }
  | { readonly kind: 'email'; readonly email: string }
  | { readonly kind: 'topic'; readonly topicArn: string };

/** Reads `alarmEmail` / `alarmTopicArn`; both at once, or a malformed value, fails synth. */
export function readAlarmNotification(node: Node): AlarmNotification {
  const email = readOptionalString(node, 'alarmEmail');
  const topicArn = readOptionalString(node, 'alarmTopicArn');
  if (email !== undefined && topicArn !== undefined) {
    throw new Error('Give either context "alarmEmail" or "alarmTopicArn", not both.');
  }
  if (email !== undefined) {
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) {
      throw new Error(`Context "alarmEmail" must be an email address, got ${JSON.stringify(email)}.`);
    }
    return { kind: 'email', email };
  }
  if (topicArn !== undefined) {
    // CloudWatch alarms publish to standard topics only, so a FIFO topic is refused here.
    if (!/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/.test(topicArn)) {
      throw new Error(
        `Context "alarmTopicArn" must be the ARN of a standard SNS topic, got ${JSON.stringify(topicArn)}.`,
      );
    }
    return { kind: 'topic', topicArn };
  }
  return { kind: 'none' };
}

/** The WAF's evaluation window for the per-IP rate rule, in seconds (WAF's default). */
export const WAF_RATE_WINDOW_SECONDS = 300;

/**
 * `-c wafRateLimit=N`: requests one client IP may send in {@link WAF_RATE_WINDOW_SECONDS} before the
 * web ACL blocks it (10 to 2 000 000 000, WAF's range). The default is what one client key's usage
 * plan allows over that window (`throttleRate` × 300 s), so the WAF never cuts a client short of its
 * own plan and only stops floods that no single key could make.
 */
export function readWafRateLimit(node: Node, throttleRate: number): number {
  const fallback = Math.ceil(throttleRate * WAF_RATE_WINDOW_SECONDS);
  const limit = readPositiveInteger(node, 'wafRateLimit', fallback);
  if (limit < 10 || limit > 2_000_000_000) {
    throw new Error(`Context "wafRateLimit" must be between 10 and 2000000000, got ${limit}.`);
  }
  return limit;
}

function readOptionalString(node: Node, name: string): string | undefined {
  const raw: unknown = node.tryGetContext(name);
  if (raw === undefined || raw === '') return undefined;
  if (typeof raw !== 'string') throw new Error(`Context "${name}" must be a string.`);
  return raw.trim();
}
