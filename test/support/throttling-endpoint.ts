import { createServer } from 'node:http';

/**
 * An HTTP endpoint that answers every DynamoDB call as DynamoDB answers a throttled one (HTTP 400,
 * `ProvisionedThroughputExceededException` in the JSON 1.0 protocol's `__type`): DynamoDB Local never
 * throttles. `requests` counts the attempts that reached it.
 */
export async function startThrottlingEndpoint(): Promise<{
  endpoint: string;
  requests: () => number;
  close: () => Promise<void>;
}> {
  let requests = 0;
  const server = createServer((request, response) => {
    requests++;
    request.resume();
    request.on('end', () => {
      response.writeHead(400, { 'content-type': 'application/x-amz-json-1.0' });
      response.end(
        JSON.stringify({
          __type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
          message: 'The level of configured provisioned throughput for the table was exceeded.',
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    requests: () => requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
