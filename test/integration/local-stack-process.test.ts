import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalStackProcess, spawnLocalStack } from '../support/local-stack-process.js';

/** True when something accepts TCP connections at the endpoint's port. */
function listening(endpoint: string): Promise<boolean> {
  const { hostname, port } = new URL(endpoint);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port) });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

let stack: LocalStackProcess;

beforeAll(async () => {
  // Its own DynamoDB Local and emulator: no AWS_ENDPOINT_URL_* handed down.
  stack = await spawnLocalStack({
    AWS_ENDPOINT_URL_DYNAMODB: '',
    AWS_ENDPOINT_URL_SECRETS_MANAGER: '',
    LOCAL_API_KEY: 'proc-key',
  });
});

afterAll(async () => {
  await stack?.stop('SIGKILL');
});

describe('npm start as a process', () => {
  it('prints the base URL, the client key and a ready curl command', () => {
    const text = stack.output().join('\n');
    expect(text).toContain('client key:     proc-key');
    expect(text).toMatch(/curl -H "x-api-key: proc-key" http:\/\/127\.0\.0\.1:\d+\/api\/data\/stock\/IBM/);
  });

  it('answers the printed curl command with a quote', async () => {
    const response = await fetch(`${stack.apiUrl}/api/data/stock/IBM`, {
      headers: { 'x-api-key': 'proc-key' },
    });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { data: { symbol: string } }).data.symbol).toBe('IBM');
  });

  it('stops every service it started on SIGINT, DynamoDB Local included', async () => {
    const endpoints = [stack.apiUrl, stack.dynamodbEndpoint, stack.secretsManagerEndpoint, stack.sandboxUrl];
    for (const endpoint of endpoints) expect(await listening(endpoint), endpoint).toBe(true);
    expect(await stack.stop('SIGINT')).toBe(0);
    for (const endpoint of endpoints) expect(await listening(endpoint), endpoint).toBe(false);
  });
});
