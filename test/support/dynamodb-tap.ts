import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One `GetItem` the tap answered: whether it read consistently, and its key as JSON. */
interface AnsweredRead {
  consistent: boolean;
  key: string;
}

/**
 * A pass-through in front of a DynamoDB endpoint (`target`) for processes a test cannot instrument (a
 * spawned local stack): every call goes on unchanged, signature included, and the tap notes each
 * `GetItem` once its answer has been written back. So a test can wait on what other processes have
 * read, where counting at their SDK clients is not possible.
 */
export async function startDynamoDbTap(target: string) {
  const answered: AnsweredRead[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const upstream = httpRequest(
        new URL(req.url ?? '/', target),
        { method: req.method, headers: req.headers },
        (reply) => {
          res.writeHead(reply.statusCode ?? 502, reply.headers);
          reply.pipe(res);
        },
      );
      upstream.on('error', () => res.writeHead(502).end());
      upstream.end(body);
      if (req.headers['x-amz-target'] !== 'DynamoDB_20120810.GetItem') return;
      const read = JSON.parse(body.toString('utf8')) as { Key?: unknown; ConsistentRead?: boolean };
      res.on('finish', () => {
        answered.push({ consistent: read.ConsistentRead === true, key: JSON.stringify(read.Key ?? {}) });
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    /**
     * Eventually consistent `GetItem`s of an item whose key names `text` the tap has answered: the first
     * cache read each request makes of a key (the fill lease is read consistently).
     */
    finishedCacheReads: (text: string) =>
      answered.filter((read) => !read.consistent && read.key.includes(text)).length,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
