import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import {
  buildOpenApiDocument,
  type OpenApiDocument,
  type OpenApiHeader,
  type OpenApiResponse,
} from '../../lib/api/openapi.js';
import { API_STAGE, ROUTES } from '../../lib/api/routes.js';

/** One HTTP answer as a client received it, and the request it answered. */
export interface HttpAnswer {
  method: string;
  /** The URL's path, as sent (percent-encoded). */
  path: string;
  status: number;
  headers: Headers;
  body: string;
}

const DOCUMENT_ID = 'openapi.json';

/**
 * Checks HTTP answers against an OpenAPI 3.1 document with Ajv (draft 2020-12, `ajv-formats`): the
 * status is documented for the operation, the content type is one it documents (no body where it
 * documents none), every required header is there and every documented header's value fits its
 * schema, and the body fits the schema of that status and content type.
 */
export class ApiContract {
  private readonly ajv = new Ajv2020({ strict: false, allErrors: true });
  private readonly compiled = new Map<string, ValidateFunction>();
  private readonly operations: {
    method: string;
    pattern: RegExp;
    responses: Record<string, OpenApiResponse>;
  }[];

  constructor(private readonly document: OpenApiDocument) {
    addFormats.default(this.ajv);
    // The whole document as one schema resource: `#/components/schemas/...` refs resolve inside it.
    this.ajv.addSchema(document, DOCUMENT_ID);
    this.operations = Object.entries(document.paths).flatMap(([path, item]) =>
      Object.entries(item).map(([method, operation]) => ({
        method: method.toUpperCase(),
        pattern: new RegExp(`^${path.replace(/\{\w+\}/g, '[^/]+')}$`),
        responses: operation.responses,
      })),
    );
  }

  /** The contract of this API: the document `GET /api/data/openapi.json` serves. */
  static ofThisApi(): ApiContract {
    return new ApiContract(buildOpenApiDocument({ routes: ROUTES, stage: API_STAGE }));
  }

  /** What is wrong with an answer, one line each; empty when it matches the document. */
  check(answer: HttpAnswer): string[] {
    const where = `${answer.method} ${answer.path} → ${answer.status}`;
    const response = this.responseFor(answer);
    if (!response) return [`${where}: status not documented for this operation`];
    const faults = [...this.headerFaults(response, answer.headers), ...this.bodyFaults(response, answer)];
    return faults.map((fault) => `${where}: ${fault}`);
  }

  private responseFor(answer: HttpAnswer): OpenApiResponse | undefined {
    const path = answer.path.split('?')[0] ?? '';
    const operation = this.operations.find(
      (candidate) => candidate.method === answer.method && candidate.pattern.test(path),
    );
    // A path or method no route serves is answered 403 by API Gateway; the document says so, and
    // every operation documents that answer the same way.
    const responses = operation?.responses ?? (answer.status === 403 ? this.operations[0]?.responses : {});
    const status = String(answer.status);
    return responses?.[status] ?? responses?.[`${status[0]}XX`] ?? responses?.default;
  }

  private headerFaults(response: OpenApiResponse, headers: Headers): string[] {
    return Object.entries(response.headers ?? {}).flatMap(([name, headerOrRef]) => {
      const header = this.resolve<OpenApiHeader>(headerOrRef);
      const value = headers.get(name);
      if (value === null) return header.required ? [`header ${name} is missing`] : [];
      const validate = this.validator(`header:${JSON.stringify(header.schema)}`, header.schema);
      return validate(value) ? [] : [`header ${name}: ${JSON.stringify(value)} ${this.errors(validate)}`];
    });
  }

  private bodyFaults(response: OpenApiResponse, answer: HttpAnswer): string[] {
    if (!response.content) return answer.body === '' ? [] : ['a body where the document says none'];
    const mediaType = (answer.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
    const content = response.content[mediaType];
    if (!content) return [`content type ${JSON.stringify(mediaType)} is not documented`];
    let body: unknown;
    try {
      body = JSON.parse(answer.body);
    } catch {
      return ['the body is not JSON'];
    }
    const validate = this.validator(`body:${JSON.stringify(content.schema)}`, content.schema);
    return validate(body) ? [] : [`body ${this.errors(validate)}`];
  }

  /** A schema's validator, compiled once; `$ref`s point into the document. */
  private validator(key: string, schema: object): ValidateFunction {
    let validate = this.compiled.get(key);
    if (!validate) {
      const rebased = JSON.parse(JSON.stringify(schema).replaceAll('"#/', `"${DOCUMENT_ID}#/`)) as object;
      validate = this.ajv.compile(rebased);
      this.compiled.set(key, validate);
    }
    return validate;
  }

  private resolve<T>(value: T | { $ref: string }): T {
    if (typeof value !== 'object' || value === null || !('$ref' in value)) return value;
    const target = value.$ref
      .replace(/^#\//, '')
      .split('/')
      .reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], this.document);
    return target as T;
  }

  private errors(validate: ValidateFunction): string {
    return this.ajv.errorsText(validate.errors, { dataVar: '' });
  }
}
