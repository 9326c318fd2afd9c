// Runs dynalite in a worker thread, so that DynamoDB's work (validation, expression parsing, storage)
// uses the second core while the thread that owns the endpoint serves S3 and the callers' own code.
// Plain JavaScript: a worker thread does not inherit the TypeScript loader of tests or tsx.
import { EventEmitter } from 'node:events';
import { parentPort, workerData } from 'node:worker_threads';
import dynalite from 'dynalite';

const server = dynalite({
  createTableMs: 0,
  deleteTableMs: 0,
  updateTableMs: 0,
  ...(workerData?.path ? { path: workerData.path } : {}),
});

// dynalite closes its store only when its HTTP server closes, so it listens on a private loopback port.
server.listen(0, '127.0.0.1', () => parentPort.postMessage({ type: 'ready' }));

parentPort.on('message', (message) => {
  if (message.type === 'close') {
    server.close(() => parentPort.postMessage({ type: 'closed' }));
    return;
  }
  const { id, method, url, headers, body } = message;
  const responseHeaders = {};
  const response = {
    statusCode: 200,
    setHeader(name, value) {
      responseHeaders[name.toLowerCase()] = String(value);
    },
    end(text) {
      parentPort.postMessage({
        id,
        statusCode: response.statusCode,
        headers: responseHeaders,
        body: text ?? '',
      });
    },
  };
  const relay = Object.assign(new EventEmitter(), { headers, method, url });
  server.emit('request', relay, response);
  if (body.byteLength > 0) relay.emit('data', Buffer.from(body.buffer, body.byteOffset, body.byteLength));
  relay.emit('end');
});
