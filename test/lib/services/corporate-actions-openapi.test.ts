import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { CORPORATE_ACTIONS_EXAMPLE } from '../../../lib/api/examples.js';
import { buildOpenApiDocument } from '../../../lib/api/openapi.js';
import { OPERATIONS } from '../../../lib/api/operations.js';
import { API_STAGE, ROUTES } from '../../../lib/api/routes.js';

const document = buildOpenApiDocument({ routes: ROUTES, stage: API_STAGE });
const PATH = '/api/data/corporate-actions/{symbol}';

describe('GetCorporateActions in the OpenAPI document', () => {
  const operation = document.paths[PATH]?.get;

  it('is a client route answering the corporate-actions schema, cacheable', () => {
    expect(operation).toMatchObject({ operationId: 'GetCorporateActions', security: [{ clientApiKey: [] }] });
    expect(operation?.responses[200]?.content?.['application/json']?.schema).toEqual({
      $ref: '#/components/schemas/CorporateActionsAnswer',
    });
    expect(operation?.responses[304]).toBeDefined();
    expect(document.components.schemas.CorporateActions).toMatchObject({
      required: expect.arrayContaining(['symbol', 'splits', 'dividends']),
    });
  });

  it('documents the bad-request, unknown-symbol and unavailable problems', () => {
    for (const status of [400, 404, 503]) {
      expect(operation?.responses[status]?.content, String(status)).toHaveProperty([
        'application/problem+json',
      ]);
    }
  });

  it('documents meta.providers, the provider of each part', () => {
    expect(document.components.schemas.AnswerMeta).toMatchObject({
      properties: { providers: { properties: { splits: {}, dividends: {} } } },
    });
  });

  it('shows an example that the zod schema and the document’s own schema both accept', () => {
    const examples = operation?.responses[200]?.content?.['application/json']?.examples;
    expect(examples?.GetCorporateActions?.value).toEqual(CORPORATE_ACTIONS_EXAMPLE);

    const contract = OPERATIONS.GetCorporateActions;
    expect(contract?.answer.schema['~standard'].validate(CORPORATE_ACTIONS_EXAMPLE)).not.toHaveProperty(
      'issues',
    );

    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats.default(ajv);
    ajv.addSchema(document, 'openapi.json');
    const validate = ajv.compile({ $ref: 'openapi.json#/components/schemas/CorporateActionsAnswer' });
    expect(validate(CORPORATE_ACTIONS_EXAMPLE), ajv.errorsText(validate.errors)).toBe(true);
    // The schema does refuse a wrong example (a dividend without its currency).
    const broken = structuredClone(CORPORATE_ACTIONS_EXAMPLE) as { data: { dividends: object[] } };
    broken.data.dividends[0] = { exDate: '2024-03-05', amount: 0.04, payDate: null };
    expect(validate(broken)).toBe(false);
  });
});
