import net from 'node:net';

/**
 * The unit project's guard (a vitest setup file): a unit test runs without Java, emulators or servers,
 * so opening or listening on a socket is a misplaced test. It fails at the call, naming where the test
 * belongs, instead of hanging on a service the unit project never started. Every client and server in
 * Node (http, undici's fetch, the AWS SDK's handler) goes through these two methods.
 */
function misplaced(what: string): never {
  throw new Error(
    `a unit test ${what}: unit tests run without sockets (mock AWS clients with aws-sdk-client-mock); ` +
      'a test that needs DynamoDB Local, the emulator or an HTTP server belongs in test/integration/',
  );
}

net.Socket.prototype.connect = function connect() {
  return misplaced('opened a socket');
};
net.Server.prototype.listen = function listen() {
  return misplaced('listened on a socket');
};
