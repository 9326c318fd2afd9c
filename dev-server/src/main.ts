import { ConfigError } from '@one-time-upload/services';
import { loadDevServerConfig } from './config.js';
import { startDevServer } from './dev-server.js';
import { startLocalStackDevServer } from './localstack-dev-server.js';

/** `npm start`: the whole stack in one process, no Docker. */
function maskKey(key: string): string {
  return `${key.slice(0, 4)}…${key.slice(-2)}`;
}

function fail(message: string): never {
  console.error(`dev-server: ${message}`);
  process.exit(2);
}

let config: ReturnType<typeof loadDevServerConfig>;
try {
  config = loadDevServerConfig();
} catch (error) {
  fail(error instanceof ConfigError ? error.message : String(error));
}

try {
  const server =
    config.backend === 'localstack' ? await startLocalStackDevServer(config) : await startDevServer(config);
  const { service, usagePlan } = config;
  const banner = [
    '',
    config.backend === 'localstack'
      ? `One-time upload URLs: local stack ready (emulator at ${config.aws.endpoint})`
      : 'One-time upload URLs: local stack ready (embedded S3 + DynamoDB, no Docker)',
    `  API            ${server.apiUrl}`,
    `  Upload page    ${server.apiUrl}/`,
    // A generated key is shown so it can be used; keys the operator chose are not copied into logs.
    config.generatedApiKey
      ? `  API key        ${config.apiKeys[0]}   (generated; set API_KEYS to choose your own)`
      : `  API keys       ${config.apiKeys.length} from API_KEYS (${config.apiKeys.map(maskKey).join(', ')})`,
    `  S3 endpoint    ${server.s3Endpoint}   (access key test, secret test)`,
    ...(config.backend === 'localstack' ? [`  Events         SQS queue ${config.aws.queueName}`] : []),
    `  Bucket         ${service.bucketName}`,
    `  Table          ${service.tableName}`,
    `  URL validity   ${service.uploadUrlTtlSeconds} s, uploads up to ${service.maxUploadBytes} bytes`,
    `  Usage plan     ${usagePlan.rateLimit} req/s, burst ${usagePlan.burstLimit}, ${usagePlan.quotaPerDay} per day per key`,
    '',
    'Try it:',
    `  curl -s -H "x-api-key: ${config.generatedApiKey ? config.apiKeys[0] : '<your key>'}" ${server.apiUrl}/getpresignedurl`,
    '',
  ].join('\n');
  process.stdout.write(`${banner}\n`);
  const shutdown = () => {
    server.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
} catch (error) {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') {
    fail(
      `a port is in use (${(error as Error).message}); set PORT or EMBEDDED_PORT to another port (0 picks a free one)`,
    );
  }
  fail(error instanceof Error ? error.message : String(error));
}
