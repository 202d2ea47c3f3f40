import * as z from 'zod/mini';
import { NAMED_SCHEMAS, OPERATIONS, type OperationContract } from './operations.js';
import { PROBLEMS, type ProblemKind, ProblemSchema, problemStatus, problemTypeUri } from './problems.js';
import { SECURITY_HEADERS } from './security-headers.js';

/** What the document needs of a route of the route table (`lib/api/routes.ts`). */
export interface ApiRoute {
  readonly id: string;
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly auth: 'client' | 'operator';
  readonly requiredQuery?: readonly string[];
}

export interface OpenApiOptions {
  /** The route table: every route becomes an operation, its id the operationId. */
  routes: readonly ApiRoute[];
  /** The API Gateway stage, the first segment of every path on AWS. */
  stage: string;
  /** What each route reads and answers, by route id; the API's own contract unless a test says otherwise. */
  operations?: Readonly<Record<string, OperationContract>>;
}

/** A JSON Schema (draft 2020-12, OpenAPI 3.1's dialect) as `z.toJSONSchema` writes it. */
export type JsonSchema = { [keyword: string]: unknown };

/** The parts of an OpenAPI 3.1 document this API writes, typed for those who read it back. */
export interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string; description: string };
  servers: object[];
  tags: object[];
  paths: Record<string, Record<string, OpenApiOperation>>;
  components: {
    schemas: Record<string, JsonSchema>;
    headers: Record<string, OpenApiHeader>;
    securitySchemes: Record<string, object>;
  };
}

export interface OpenApiOperation {
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  security: Record<string, string[]>[];
  parameters?: object[];
  requestBody?: object;
  responses: Record<string, OpenApiResponse>;
}

export interface OpenApiResponse {
  description: string;
  headers?: Record<string, OpenApiHeader | { $ref: string }>;
  content?: Record<
    string,
    { schema: JsonSchema; examples?: Record<string, { summary: string; value: unknown }> }
  >;
}

export interface OpenApiHeader {
  description?: string;
  required?: boolean;
  schema: JsonSchema;
}

/** The contract's version (`info.version`): bump it with every change clients can notice. */
export const API_VERSION = '1.3.0';

const PROBLEM_JSON = 'application/problem+json';
const SCHEMAS = '#/components/schemas/';

/**
 * The OpenAPI 3.1 document of the API, generated from the route table and from the zod schemas that
 * parse the requests and shape the answers (`z.toJSONSchema`, draft 2020-12): nothing in it is
 * written by hand, so it cannot drift from the code. Throws when a route has no contract, or when a
 * route and its contract disagree on a path or required query parameter.
 */
export function buildOpenApiDocument(options: OpenApiOptions): OpenApiDocument {
  const operations = options.operations ?? OPERATIONS;
  const contracts = options.routes.map((route) => {
    const contract = operations[route.id];
    if (!contract) throw new Error(`route ${route.id} has no operation contract in lib/api/operations.ts`);
    return { route, contract };
  });
  const problems = problemSchemas(contracts);
  const answers = new Map<string, z.core.$ZodType>();
  for (const { contract } of contracts) {
    const known = answers.get(contract.answer.name);
    if (known && known !== contract.answer.schema)
      throw new Error(`two different answer schemas are named ${contract.answer.name}`);
    answers.set(contract.answer.name, contract.answer.schema);
  }
  const bodies = Object.fromEntries(
    contracts.flatMap(({ contract }) => (contract.body ? [[contract.body.name, contract.body.schema]] : [])),
  );

  const paths: OpenApiDocument['paths'] = {};
  for (const { route, contract } of contracts) {
    const item = paths[route.path] ?? {};
    item[route.method.toLowerCase()] = operation(route, contract);
    paths[route.path] = item;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Valor IVX market data',
      version: API_VERSION,
      description:
        'Market data (quotes, daily bars, financial statements, company profiles, corporate actions, ' +
        'symbol search) from several providers, normalized, scored and cached. Every answer carries ' +
        'the OWASP security headers; every error is `application/problem+json` with a stable `type` ' +
        'and the `requestId` that the logs and the `x-amzn-RequestId` header carry. A path no route ' +
        'serves, or a method it does not, is answered 403, as API Gateway answers it.',
    },
    servers: servers(options.stage),
    tags: [
      { name: 'Market data', description: 'For clients, with a client API key' },
      { name: 'Operations', description: 'Health, breakers, provider keys' },
      { name: 'API', description: 'This description' },
    ],
    paths,
    components: {
      schemas: {
        ...namedJsonSchemas(
          { ...NAMED_SCHEMAS, Problem: ProblemSchema, ...Object.fromEntries(answers), ...problems },
          'output',
        ),
        ...namedJsonSchemas(bodies, 'input'),
      },
      headers: RESPONSE_HEADERS,
      securitySchemes: SECURITY_SCHEMES,
    },
  };
}

/**
 * Where the API runs, each server marked with its environment (`x-environment`, and the description
 * says it in words, as OWASP API9 asks) and its audience (`x-internal`): the deployed API is for
 * clients; the local stack is for whoever develops the layer, on loopback, where plain HTTP never
 * leaves the machine (so `.spectral.yaml` exempts only that server from the https rule).
 */
function servers(stage: string): object[] {
  return [
    {
      url: 'https://{restApiId}.execute-api.{region}.amazonaws.com/{stage}',
      description: 'Production: API Gateway on AWS (the stack output `ApiUrl` of `npm run deploy`)',
      'x-environment': 'production',
      'x-internal': false,
      variables: {
        restApiId: { default: 'restApiId', description: 'The REST API id' },
        region: { default: 'us-east-1' },
        stage: { default: stage, enum: [stage] },
      },
    },
    {
      url: 'http://127.0.0.1:3000',
      description: 'Local: the local stack (`npm start`, port `PORT`) on loopback, for development',
      'x-environment': 'local',
      'x-internal': true,
    },
  ];
}

/**
 * API Gateway refuses a REST request whose request line and headers exceed 10,240 bytes (its quota
 * "total combined size of request line and header values"), so no `If-None-Match` is longer.
 */
const MAX_REQUEST_HEADER_BYTES = 10_240;
const IfNoneMatchSchema = z.string().check(z.maxLength(MAX_REQUEST_HEADER_BYTES));

function operation(route: ApiRoute, contract: OperationContract): OpenApiOperation {
  const parameters = [...pathParameters(route, contract), ...queryParameters(route, contract)];
  if (contract.cacheable)
    parameters.push({
      name: 'If-None-Match',
      in: 'header',
      required: false,
      description: 'Entity tags of answers held (or `*`): a current one is answered 304 with no body.',
      schema: jsonSchemaOf(IfNoneMatchSchema, 'input'),
    });
  return {
    operationId: route.id,
    summary: contract.summary,
    ...(contract.description ? { description: contract.description } : {}),
    tags: [contract.tag],
    security: [{ [route.auth === 'client' ? 'clientApiKey' : 'operatorIam']: [] }],
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(contract.body
      ? {
          requestBody: {
            required: true,
            content: { 'application/json': { schema: { $ref: `${SCHEMAS}${contract.body.name}` } } },
          },
        }
      : {}),
    responses: responses(route, contract),
  };
}

function pathParameters(route: ApiRoute, contract: OperationContract): object[] {
  const names = [...route.path.matchAll(/\{(\w+)\}/g)].map((match) => match[1] ?? '');
  const declared = Object.keys(contract.pathParameters ?? {});
  if (names.join() !== declared.join())
    throw new Error(`route ${route.id}: path parameters [${names}] but the contract has [${declared}]`);
  return names.map((name) => {
    const parameter = contract.pathParameters?.[name];
    return {
      name,
      in: 'path',
      required: true,
      description: parameter?.description,
      schema: jsonSchemaOf(parameter?.schema ?? z.string(), 'input'),
    };
  });
}

function queryParameters(route: ApiRoute, contract: OperationContract): object[] {
  const query = contract.query ? jsonSchemaOf(contract.query, 'input') : { properties: {} };
  const properties = (query.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((query.required ?? []) as string[]);
  const missing = (route.requiredQuery ?? []).filter((name) => !required.has(name));
  if (missing.length > 0)
    throw new Error(`route ${route.id} requires [${missing}] but its query schema does not`);
  return Object.entries(properties).map(([name, schema]) => ({
    name,
    in: 'query',
    required: required.has(name),
    schema,
  }));
}

function responses(route: ApiRoute, contract: OperationContract): Record<string, OpenApiResponse> {
  const cacheControl =
    contract.cacheable || contract.cacheControl === 'private-max-age' ? 'Private' : 'NoStore';
  const answer: OpenApiResponse = {
    description: contract.summary,
    headers: {
      ...securityHeaderRefs(),
      'Cache-Control': { $ref: `#/components/headers/CacheControl${cacheControl}` },
      ...(contract.cacheable ? { ETag: { $ref: '#/components/headers/ETag' } } : {}),
    },
    content: {
      'application/json': {
        schema: { $ref: `${SCHEMAS}${contract.answer.name}` },
        ...(contract.example ? { examples: { [route.id]: contract.example } } : {}),
      },
    },
  };
  const result: Record<string, OpenApiResponse> = { 200: answer };
  for (const status of contract.alsoAnswersWith ?? []) result[status] = answer;
  if (contract.cacheable) {
    result[304] = {
      description: 'Not Modified: the `If-None-Match` tag names the current data; no body.',
      headers: {
        ...securityHeaderRefs(),
        'Cache-Control': { $ref: '#/components/headers/CacheControlPrivate' },
        ETag: { $ref: '#/components/headers/ETag' },
      },
    };
  }
  const kinds: FixedKind[] = [...contract.problems, 'forbidden'];
  if (route.auth === 'client') kinds.push('tooManyRequests');
  for (const kind of kinds) {
    const status = PROBLEMS[kind].status;
    result[status] = problemAnswer(titlesOf(status), `Problem${status}`, retryAfterOf(status));
  }
  result['4XX'] = problemAnswer('Another client error, answered by API Gateway itself', 'Problem');
  result['5XX'] = problemAnswer('A server error (500), or API Gateway: 502, 504', 'Problem');
  return result;
}

/** `Retry-After` where an answer carries it: always on 503; on 429 when the rate, not the day's quota, ran out. */
function retryAfterOf(status: number): OpenApiResponse['headers'] {
  if (status === 503) return { 'Retry-After': { $ref: '#/components/headers/RetryAfter' } };
  if (status === 429) return { 'Retry-After': { $ref: '#/components/headers/RetryAfterThrottled' } };
  return {};
}

type FixedKind = OperationContract['problems'][number];

function problemAnswer(
  description: string,
  schema: string,
  headers: OpenApiResponse['headers'] = {},
): OpenApiResponse {
  return {
    description,
    headers: {
      ...securityHeaderRefs(),
      'Cache-Control': { $ref: '#/components/headers/CacheControlNoStore' },
      ...headers,
    },
    content: { [PROBLEM_JSON]: { schema: { $ref: `${SCHEMAS}${schema}` } } },
  };
}

/** The titles of the problem kinds answered with a status, for its description. */
function titlesOf(status: number): string {
  return kindsWithStatus(status)
    .map((kind) => PROBLEMS[kind].title)
    .join('; ');
}

function kindsWithStatus(status: number): ProblemKind[] {
  return (Object.keys(PROBLEMS) as ProblemKind[]).filter((kind) => problemStatus(kind) === status);
}

/**
 * `Problem<status>`: the problem schema with `type` narrowed to the kinds that answer with that status,
 * plus the catch-all kind of its class (API Gateway's DEFAULT_4XX or DEFAULT_5XX, which omit `status`).
 */
function problemSchemas(contracts: { route: ApiRoute; contract: OperationContract }[]) {
  const statuses = new Set<number>([403, 429]);
  for (const { contract } of contracts)
    for (const kind of contract.problems) statuses.add(PROBLEMS[kind].status);
  return Object.fromEntries(
    [...statuses].map((status) => {
      const catchAll: ProblemKind = status < 500 ? 'clientError' : 'serverError';
      const types = [...kindsWithStatus(status), catchAll].map(problemTypeUri) as [string, ...string[]];
      const schema = z.extend(ProblemSchema, {
        type: z.enum(types),
        status: z.optional(z.literal(status)),
      });
      return [`Problem${status}`, schema];
    }),
  );
}

function securityHeaderRefs(): Record<string, { $ref: string }> {
  return Object.fromEntries(
    Object.keys(SECURITY_HEADERS).map((name) => [
      headerId(name).replace(/(?<=.)(?=[A-Z])/g, '-'),
      { $ref: `#/components/headers/${headerId(name)}` },
    ]),
  );
}

/** `x-content-type-options` → `XContentTypeOptions`: a component name for a header. */
function headerId(name: string): string {
  return name.replace(/(^|-)(\w)/g, (_, __, letter: string) => letter.toUpperCase());
}

const RESPONSE_HEADERS: Record<string, OpenApiHeader> = {
  ...Object.fromEntries(
    Object.entries(SECURITY_HEADERS).map(([name, value]) => [
      headerId(name),
      {
        description: `OWASP REST security header, on every answer: \`${name}: ${value}\`.`,
        required: true,
        schema: jsonSchemaOf(z.literal(value), 'output'),
      },
    ]),
  ),
  CacheControlNoStore: {
    description: 'Nothing may store the answer: errors, operator readings, health.',
    required: true,
    schema: jsonSchemaOf(z.literal('no-store'), 'output'),
  },
  CacheControlPrivate: {
    description:
      'Only the client that asked may cache the answer (every answer goes to one API-key holder), for ' +
      'the whole seconds of freshness the layer has left for it; 0 when served stale.',
    required: true,
    schema: jsonSchemaOf(z.string().check(z.regex(/^private, max-age=\d+$/)), 'output'),
  },
  ETag: {
    description: "A strong entity tag over the answer's `data`: send it back in `If-None-Match`.",
    required: true,
    schema: jsonSchemaOf(z.string().check(z.regex(/^"[^"]*"$/)), 'output'),
  },
  RetryAfter: {
    description: 'Seconds until a provider may answer again.',
    required: true,
    schema: jsonSchemaOf(z.string().check(z.regex(/^\d+$/)), 'output'),
  },
  RetryAfterThrottled: {
    description:
      "Seconds to wait when the client API key is over its usage plan's request rate (API Gateway's " +
      'THROTTLED answer); absent when the key has used its daily quota.',
    required: false,
    schema: jsonSchemaOf(z.string().check(z.regex(/^\d+$/)), 'output'),
  },
};

const SECURITY_SCHEMES = {
  clientApiKey: {
    type: 'apiKey',
    in: 'header',
    name: 'x-api-key',
    description:
      "A client API key of the API's usage plan, which gives each key its throttle and daily quota. " +
      'Locally: `LOCAL_API_KEY` (default `local-client-key`).',
  },
  operatorIam: {
    type: 'apiKey',
    in: 'header',
    name: 'Authorization',
    description:
      'IAM authorization: the request signed with AWS Signature Version 4 (service `execute-api`) by a ' +
      'principal allowed `execute-api:Invoke` on the route; client API keys are refused. Locally the ' +
      'operator key in `x-api-key` stands in for it: `LOCAL_OPERATOR_KEY` (default `local-operator-key`).',
    'x-amazon-apigateway-authtype': 'awsSigv4',
  },
};

/** One schema as JSON Schema, without the `$schema` line (the document's dialect applies). */
function jsonSchemaOf(schema: z.core.$ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _, ...json } = z.toJSONSchema(schema, { io }) as JsonSchema;
  return json;
}

/**
 * Named schemas as components, converted together so that one named inside another is a `$ref` to
 * its component. `$schema` and `$id` are dropped: the document's dialect applies, and an `$id` with a
 * fragment is not allowed in draft 2020-12.
 */
function namedJsonSchemas(
  named: Record<string, z.core.$ZodType>,
  io: 'input' | 'output',
): Record<string, JsonSchema> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(named)) registry.add(schema, { id });
  const { schemas } = z.toJSONSchema(registry, { io, uri: (id) => `${SCHEMAS}${id}` });
  return Object.fromEntries(
    Object.entries(schemas).map(([id, schema]) => {
      const { $schema: _, $id: __, ...json } = schema as JsonSchema;
      return [id, json];
    }),
  );
}
