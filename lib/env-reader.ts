import * as z from 'zod/mini';

/**
 * Reads typed values out of an environment, collecting every problem instead of stopping at the
 * first, so a misconfigured container says everything that is wrong at once. Problems name the
 * variable, never its value (a value could be a secret).
 */
export class EnvReader {
  readonly problems: string[] = [];
  /** Every variable asked for, set or not: what this reader's consumer understands. */
  readonly names = new Set<string>();

  constructor(private readonly env: NodeJS.ProcessEnv) {}

  string(name: string, fallback?: string): string {
    const raw = this.raw(name);
    if (raw !== undefined) return raw;
    if (fallback === undefined) this.problems.push(`${name} is required`);
    return fallback ?? '';
  }

  number(
    name: string,
    fallback: number,
    bounds: { min?: number; max?: number; integer?: boolean } = {},
  ): number {
    const raw = this.raw(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    const { min = Number.NEGATIVE_INFINITY, max = Number.POSITIVE_INFINITY, integer = false } = bounds;
    if (!Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
      this.problems.push(`${name} must be ${integer ? 'an integer' : 'a number'} in [${min}, ${max}]`);
      return fallback;
    }
    return value;
  }

  boolean(name: string, fallback: boolean): boolean {
    const raw = this.raw(name)?.toLowerCase();
    if (raw === undefined) return fallback;
    if (raw === 'true' || raw === '1') return true;
    if (raw === 'false' || raw === '0') return false;
    this.problems.push(`${name} must be true or false`);
    return fallback;
  }

  url(name: string, fallback: string): string {
    const raw = this.raw(name);
    if (raw === undefined) return fallback;
    if (!z.safeParse(z.url(), raw).success) {
      this.problems.push(`${name} must be a URL`);
      return fallback;
    }
    return raw.replace(/\/+$/, '');
  }

  /** A comma list whose every item is one of `allowed`. */
  list<T extends string>(name: string, allowed: readonly T[], fallback: readonly T[]): T[] {
    const raw = this.raw(name);
    if (raw === undefined) return [...fallback];
    const items = raw
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item.length > 0);
    const unknown = items.filter((item) => !(allowed as readonly string[]).includes(item));
    if (unknown.length > 0 || items.length === 0) {
      this.problems.push(`${name} must list some of: ${allowed.join(', ')}`);
      return [...fallback];
    }
    return items as T[];
  }

  /** An empty value counts as unset, as shells and CDK often pass one. */
  private raw(name: string): string | undefined {
    this.names.add(name);
    const value = this.env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  }
}
