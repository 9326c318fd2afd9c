import { start } from './server.js';

/**
 * `npm run aws:embedded`: the endpoint alone. EMBEDDED_PORT (default 4566, 0 for a free port),
 * EMBEDDED_HOST (127.0.0.1), EMBEDDED_DATA_DIR (kept data; temporary otherwise).
 */
function fail(message: string): never {
  console.error(`embedded-aws: ${message}`);
  process.exit(2);
}

const portText = process.env.EMBEDDED_PORT ?? '4566';
if (!/^\d+$/.test(portText) || Number(portText) > 65_535)
  fail(`EMBEDDED_PORT must be a port number, got "${portText}"`);

try {
  const aws = await start({
    port: Number(portText),
    host: process.env.EMBEDDED_HOST ?? '127.0.0.1',
    ...(process.env.EMBEDDED_DATA_DIR ? { dataDir: process.env.EMBEDDED_DATA_DIR } : {}),
  });
  console.log(
    [
      `embedded-aws ready at ${aws.endpoint}`,
      `  S3 (path-style) and DynamoDB on one port; region ${aws.region}`,
      `  credentials: AWS_ACCESS_KEY_ID=${aws.credentials.accessKeyId} AWS_SECRET_ACCESS_KEY=${aws.credentials.secretAccessKey}`,
      `  try: AWS_ENDPOINT_URL=${aws.endpoint} aws s3 ls`,
      `  data: ${aws.dataDir}${process.env.EMBEDDED_DATA_DIR ? '' : ' (temporary; set EMBEDDED_DATA_DIR to keep it)'}`,
    ].join('\n'),
  );
  const shutdown = () => {
    aws.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
} catch (error) {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE')
    fail(`port ${portText} is in use; set EMBEDDED_PORT to another port (0 picks a free one)`);
  fail(error instanceof Error ? error.message : String(error));
}
