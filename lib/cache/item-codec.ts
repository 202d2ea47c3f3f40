import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

/**
 * A cached value as stored: JSON, gzipped. A 20-year daily series (~600 KB of JSON) becomes ~118 KB,
 * a quote ~380 B ~260 B. Gzip at its default level, measured against brotli: brotli's fast levels
 * compress no better, its good levels cost seconds. The async forms run on libuv's pool, so a
 * container serving many requests (the local gateway) is not blocked while a big series is packed.
 */
export async function compressJson(value: unknown): Promise<Uint8Array> {
  return gzipAsync(JSON.stringify(value));
}

/** The value {@link compressJson} packed. */
export async function decompressJson<T>(bytes: Uint8Array): Promise<T> {
  return JSON.parse((await gunzipAsync(bytes)).toString('utf8')) as T;
}

/** `bytes` cut into consecutive parts of at most `partBytes` each (one empty part for no bytes). */
export function splitBytes(bytes: Uint8Array, partBytes: number): Uint8Array[] {
  if (!(partBytes >= 1)) throw new RangeError('partBytes must be at least 1');
  const parts: Uint8Array[] = [];
  for (let start = 0; start < bytes.length || parts.length === 0; start += partBytes) {
    parts.push(bytes.subarray(start, start + partBytes));
  }
  return parts;
}

/** The parts of {@link splitBytes} joined back, in order. */
export function joinBytes(parts: readonly Uint8Array[]): Uint8Array {
  return Buffer.concat(parts);
}
