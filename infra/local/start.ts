import { startLocalStack } from './local-stack.js';

/**
 * `npm start`: the local stack in the foreground. Ctrl-C (SIGINT) or SIGTERM stops every service it
 * started, DynamoDB Local's Java process included.
 */
const stack = await startLocalStack(process.env, (line) => console.error(`[gateway] ${line}`));

const proxy = stack.dynamodbProxy;
const dynamodbLines = proxy
  ? `${stack.dynamodbEndpoint} (DynamoDB Local behind the DynamoDB proxy, started here)
  DynamoDB knobs: ${proxy.endpoint}/__proxy/knobs   (replica lag ${proxy.knobs().replicaLagMs} ms)`
  : `${stack.dynamodbEndpoint} (shared)`;

console.log(`
Valor IVX data layer is running locally.
  API:            ${stack.baseUrl}/api/data
  client key:     ${stack.clientApiKey}   (x-api-key on client routes)
  operator key:   ${stack.operatorKey}   (x-api-key on operator routes)
  DynamoDB:       ${dynamodbLines}
  Secrets:        ${stack.secretsManagerEndpoint}${stack.started.secretsManager ? ' (emulator, started here)' : ' (shared)'}
  Sandbox:        ${stack.sandbox.url}/__sandbox/knobs

Try:
  curl -H "x-api-key: ${stack.clientApiKey}" ${stack.baseUrl}/api/data/stock/IBM
`);

let stopping = false;
async function stop(signal: string) {
  if (stopping) return;
  stopping = true;
  console.error(`\n${signal}: stopping the local stack...`);
  await stack.close();
  process.exit(0);
}
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
