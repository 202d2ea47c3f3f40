/**
 * Seeded pseudo-random numbers. Every value the sandbox invents (prices, statements, injected faults) comes
 * from here so that the same inputs always give the same answer and tests can assert on them.
 */

/** 32-bit FNV-1a hash of the parts joined with `|`: the seed of one random stream. */
export function hashSeed(...parts: ReadonlyArray<string | number>): number {
  const text = parts.join('|');
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** Mulberry32: small, fast and good enough for test data (not for cryptography). Returns [0, 1). */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A random stream seeded from the given parts, e.g. `randomFor('AAPL', '2025-09-23')`. */
export function randomFor(...parts: ReadonlyArray<string | number>): () => number {
  return mulberry32(hashSeed(...parts));
}

/** A standard normal draw (Box–Muller) from a uniform stream. */
export function normal(random: () => number): number {
  // 1 - u keeps the logarithm away from log(0).
  const u = 1 - random();
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** A uniform draw in [min, max). */
export function between(random: () => number, min: number, max: number): number {
  return min + (max - min) * random();
}

/** One element of a non-empty list. */
export function pick<T>(random: () => number, items: readonly [T, ...T[]]): T {
  return items[Math.floor(random() * items.length)] ?? items[0];
}
