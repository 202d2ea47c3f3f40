import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FUNCTION_ENVIRONMENT } from '../../infra/function-settings.js';
import { type DataLayerConfig, loadConfig, loadRotationConfig } from '../../lib/config.js';
import { DATA_TYPES } from '../../lib/model/data-types.js';
import { PROVIDER_ENV_PREFIX } from '../../lib/model/provider-ids.js';
import { DATA_TABLE_ENV } from '../../lib/storage/table-definition.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CONFIG_SOURCE = readFileSync(`${ROOT}lib/config.ts`, 'utf8');
/** The variables' part of docs/configuration.md (the metrics table after it names no variables). */
const CONFIGURATION_DOC = readFileSync(`${ROOT}docs/configuration.md`, 'utf8').split('\n## ')[0] as string;

/** The smallest environment `loadConfig` accepts: only the required table. */
const BASE_ENV = { [DATA_TABLE_ENV]: 'config-doc-test' };

/** Every variable name the readers ask for, set or not: an environment that notes each name read. */
function variablesRead(): Set<string> {
  const names = new Set<string>();
  const noting = (env: Record<string, string>) =>
    new Proxy(env, {
      get(target, name) {
        if (typeof name === 'string') names.add(name);
        return target[name as string];
      },
    });
  loadConfig(noting({ ...BASE_ENV }));
  loadRotationConfig(noting({}));
  return names;
}

/** `<TYPE>` and `<PROVIDER>` in a documented name, expanded to the names the code reads. */
function expand(name: string): string[] {
  if (name.includes('<TYPE>')) return DATA_TYPES.map((type) => name.replace('<TYPE>', type.toUpperCase()));
  if (name.includes('<PROVIDER>'))
    return Object.values(PROVIDER_ENV_PREFIX).map((prefix) => name.replace('<PROVIDER>', prefix));
  return [name];
}

const codes = (cell: string) => [...cell.matchAll(/`([^`]+)`/g)].map((match) => match[1] as string);

/** The table rows of docs/configuration.md: the variables of a row and its default cell. */
const documentedRows = CONFIGURATION_DOC.split('\n')
  .filter((line) => line.startsWith('| `'))
  .map((line) => {
    const [names = '', defaults = ''] = line.split('|').slice(1, 3);
    return { names: codes(names), defaults };
  });

/**
 * Each documented default as a variable set to that value: a row lists its variables and as many
 * defaults in order, or per data type (`quote \`60\`, daily history \`3600\`, ...`) for a `<TYPE>`
 * name, or one value for every provider's `<PROVIDER>` name. Rows whose default is prose (a
 * required name, "see Providers", "the provider's real host") state no value to check.
 */
function documentedDefaults(): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  for (const { names, defaults } of documentedRows) {
    const values = codes(defaults);
    if (values.length === 0 || defaults.trim().startsWith('(')) continue;
    const [first = ''] = names;
    if (names.length === 1 && first.includes('<TYPE>')) {
      for (const match of defaults.matchAll(/([a-z][a-z ]*?)\s+`([^`]+)`/g)) {
        const type = (match[1] as string).trim().replaceAll(' ', '_').toUpperCase();
        pairs.push([first.replace('<TYPE>', type), match[2] as string]);
      }
    } else if (names.length === 1) {
      for (const name of expand(first)) pairs.push([name, values[0] as string]);
    } else {
      expect(values, `defaults of ${names.join(', ')}`).toHaveLength(names.length);
      for (const [index, name] of names.entries()) pairs.push([name, values[index] as string]);
    }
  }
  return pairs;
}

/** The `@default` of each field of `DataLayerConfig`, evaluated as the literal it is written as. */
function fieldDefaults(): Map<string, unknown> {
  const body = CONFIG_SOURCE.slice(CONFIG_SOURCE.indexOf('export interface DataLayerConfig {'));
  const block = body.slice(0, body.indexOf('\n}\n'));
  const defaults = new Map<string, unknown>();
  for (const match of block.matchAll(/\/\*\*((?:(?!\*\/)[\s\S])*)\*\/\s*\n\s*(\w+):/g)) {
    const [, comment = '', field = ''] = match;
    const at = comment.indexOf('@default');
    if (at < 0) continue;
    const literal = comment
      .slice(at + '@default'.length)
      .replace(/\n\s*\*/g, '\n')
      .trim();
    defaults.set(field, new Function(`return (${literal});`)());
  }
  return defaults;
}

describe('docs/configuration.md and the @default tags of lib/config.ts', () => {
  it('lists every environment variable the configuration readers ask for', () => {
    const documented = new Set(documentedRows.flatMap((row) => row.names.flatMap(expand)));
    const missing = [...variablesRead()].filter((name) => !documented.has(name));
    expect(missing).toEqual([]);
  });

  it('documents no configuration variable the readers do not ask for (Powertools aside)', () => {
    const read = variablesRead();
    const documented = documentedRows.flatMap((row) => row.names.flatMap(expand));
    const unknown = documented.filter((name) => !read.has(name) && !name.startsWith('POWERTOOLS_'));
    expect(unknown).toEqual([]);
  });

  it('states the defaults the code uses: each documented default set explicitly changes nothing', () => {
    const pairs = documentedDefaults();
    expect(pairs.length).toBeGreaterThan(60);
    const read = variablesRead();
    const unset = { data: loadConfig({ ...BASE_ENV }), rotation: loadRotationConfig({}) };
    const differing = pairs.filter(([name, value]) => {
      if (!read.has(name)) return false;
      const data = loadConfig({ ...BASE_ENV, [name]: value });
      const rotation = loadRotationConfig({ [name]: value });
      return JSON.stringify({ data, rotation }) !== JSON.stringify(unset);
    });
    expect(differing).toEqual([]);
  });

  it('states the Powertools settings CDK gives every function', () => {
    const powertools = documentedDefaults().filter(([name]) => name.startsWith('POWERTOOLS_'));
    const deployed = Object.entries(FUNCTION_ENVIRONMENT).filter(([name]) => name.startsWith('POWERTOOLS_'));
    expect(Object.fromEntries(powertools)).toEqual(Object.fromEntries(deployed));
  });

  it('gives every configuration field but the required table a @default equal to its value when nothing is set', () => {
    const defaults = fieldDefaults();
    const loaded = loadConfig({ ...BASE_ENV }) as unknown as Record<keyof DataLayerConfig, unknown>;
    const fields = Object.keys(loaded).filter((field) => field !== 'tableName');
    expect([...defaults.keys()].sort()).toEqual(fields.sort());
    for (const field of fields)
      expect(defaults.get(field), field).toEqual(loaded[field as keyof DataLayerConfig]);
  });
});
