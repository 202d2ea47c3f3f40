import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the gate does with the calls it holds once opened: pass them on, or fail them. */
export type GateVerdict = { forwardTo: string } | { status: number };

/**
 * A real HTTP upstream for a provider's base URL that holds every call until the test opens it, then
 * forwards the held calls (and any later one) to `forwardTo` (the sandbox's base URL for that
 * provider) or answers them all with `status`. Lets a test act while a provider call is in flight,
 * without timing anything.
 */
export async function startGatedUpstream() {
  const held: { req: IncomingMessage; res: ServerResponse }[] = [];
  let verdict: GateVerdict | undefined;
  let calls = 0;
  let arrived: () => void = () => {};
  const firstCall = new Promise<void>((resolve) => {
    arrived = resolve;
  });

  const answer = (req: IncomingMessage, res: ServerResponse, open: GateVerdict) => {
    if ('status' in open) {
      res.writeHead(open.status, { 'content-type': 'text/html' }).end('<html>upstream unavailable</html>');
      return;
    }
    const target = new URL(`${open.forwardTo}${req.url ?? '/'}`);
    const upstream = httpRequest(target, { method: req.method, headers: { accept: '*/*' } }, (reply) => {
      res.writeHead(reply.statusCode ?? 502, reply.headers);
      reply.pipe(res);
    });
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  };

  const server = createServer((req, res) => {
    calls++;
    arrived();
    if (verdict) answer(req, res, verdict);
    else held.push({ req, res });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    /** Resolves when the first call reaches the gate. */
    firstCall,
    calls: () => calls,
    /** Releases every held call, and every later one, as `open` says. */
    open(open: GateVerdict) {
      verdict = open;
      for (const { req, res } of held.splice(0)) answer(req, res, open);
    },
    /** Holds every later call again, until the next `open`. */
    hold() {
      verdict = undefined;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
