import { describe, expect, it } from 'vitest';
import { buildOpenApiDocument, type JsonSchema } from '../../../lib/api/openapi.js';
import { API_STAGE, ROUTES } from '../../../lib/api/routes.js';

/**
 * Every number a client reads from market data says its unit in the OpenAPI document: a client must
 * never guess whether `changePercent` is percent or a fraction, or whether a statement is in thousands.
 */
const document = buildOpenApiDocument({ routes: ROUTES, stage: API_STAGE });

/** The market-data models: what `data` holds in the clients' answers. */
const DATA_MODELS = [
  'Quote',
  'DailySeries',
  'FinancialStatements',
  'CompanyProfile',
  'SearchResult',
  'CorporateActions',
];

/** The words a description may name a number's unit with. */
const UNIT =
  /in (?:full units of )?(?:the series' )?`currency`|shares|percent|fraction|head count|ratio|seconds/;

interface NumberField {
  path: string;
  description: string | undefined;
}

const admitsNumber = (schema: JsonSchema): boolean => {
  const types = ([] as unknown[]).concat(schema.type ?? []);
  if (types.includes('number') || types.includes('integer')) return true;
  return ((schema.anyOf ?? []) as JsonSchema[]).some(admitsNumber);
};

/** Every property that holds a number, anywhere inside `schema` (objects, arrays, unions), by its path. */
function numberFields(schema: JsonSchema, path: string): NumberField[] {
  const found: NumberField[] = [];
  for (const [name, property] of Object.entries((schema.properties ?? {}) as Record<string, JsonSchema>)) {
    if (admitsNumber(property))
      found.push({ path: `${path}.${name}`, description: property.description as string | undefined });
    found.push(...numberFields(property, `${path}.${name}`));
  }
  if (schema.items) found.push(...numberFields(schema.items as JsonSchema, `${path}[]`));
  for (const [index, branch] of ((schema.anyOf ?? []) as JsonSchema[]).entries())
    found.push(...numberFields(branch, `${path}|${index}`));
  return found;
}

function modelSchema(name: string): JsonSchema {
  const schema = document.components.schemas[name];
  if (!schema) throw new Error(`the document has no ${name} schema`);
  return schema;
}

function descriptionOf(model: string, field: string): string {
  const found = numberFields(modelSchema(model), model).find((item) => item.path.endsWith(`.${field}`));
  return found?.description ?? '';
}

describe('the units in the OpenAPI document', () => {
  it('names the unit of every number of every market-data model', () => {
    const fields = DATA_MODELS.flatMap((name) => numberFields(modelSchema(name), name));
    // The walk found the numbers (statements alone have dozens), so the check below is not vacuous.
    expect(fields.length).toBeGreaterThan(40);
    const unnamed = fields.filter((field) => !UNIT.test(field.description ?? '')).map((field) => field.path);
    expect(unnamed).toEqual([]);
  });

  it('says changePercent is in percent, not a fraction, and volume in shares', () => {
    expect(descriptionOf('Quote', 'changePercent')).toMatch(/in percent .*-1\.8 is a 1\.8 % fall/);
    expect(descriptionOf('Quote', 'volume')).toMatch(/shares/);
    expect(descriptionOf('Quote', 'price')).toMatch(/in `currency`/);
  });

  it('says statements and market capitalization are in full units, and a match score a fraction', () => {
    expect(descriptionOf('FinancialStatements', 'netIncome')).toMatch(/full units of `currency`/);
    expect(descriptionOf('FinancialStatements', 'eps')).toMatch(/in `currency` per share/);
    expect(descriptionOf('FinancialStatements', 'sharesOutstanding')).toMatch(/count of shares/);
    expect(descriptionOf('CompanyProfile', 'marketCapitalization')).toMatch(/full units of `currency`/);
    expect(descriptionOf('SearchResult', 'matchScore')).toMatch(/fraction from 0 to 1/);
  });

  it('says a split ratio is shares after per share before, and a dividend an amount per share as declared', () => {
    expect(descriptionOf('CorporateActions', 'ratio')).toMatch(/Shares after per share before, a ratio/);
    expect(descriptionOf('CorporateActions', 'amount')).toMatch(/per share as declared .* in `currency`/);
  });
});
