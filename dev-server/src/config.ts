import { randomBytes } from 'node:crypto';
import {
  ConfigError,
  DEFAULTS,
  loadConfig,
  readInteger,
  readName,
  type ServiceConfig,
} from '@one-time-upload/services';

/**
 * The dev server's configuration, from the environment, validated at start with a message naming the
 * variable that is wrong. The service's own settings (TTL, size limit, names) come from the shared module.
 */
export interface UsagePlan {
  /** Steady requests per second per key (API Gateway's throttle rate). */
  rateLimit: number;
  /** Requests that may arrive at once (the token bucket's size). */
  burstLimit: number;
  /** Requests per key per UTC day. */
  quotaPerDay: number;
}

export interface DevServerConfig {
  port: number;
  host: string;
  embeddedPort: number;
  apiKeys: string[];
  /** True when no API_KEYS were given and one was generated. */
  generatedApiKey: boolean;
  usagePlan: UsagePlan;
  service: ServiceConfig;
  /** Delay before the first retry of a failed event handler; the second waits twice as long. */
  eventRetryDelayMs: number;
  dataDir: string | undefined;
  /** `embedded` (default): the embedded S3 + DynamoDB in this process; `localstack`: an emulator at `aws.endpoint`. */
  backend: 'embedded' | 'localstack';
  /** The LocalStack (or Floci) backend. */
  aws: {
    /** Where the handlers reach the emulator (AWS_ENDPOINT_URL). */
    endpoint: string;
    /** Where upload clients reach S3, signed into the URLs (S3_PUBLIC_ENDPOINT); the same by default. */
    publicS3Endpoint: string;
    region: string;
    /** The SQS queue S3 notifies and the dev server long-polls. */
    queueName: string;
  };
}

type Env = Record<string, string | undefined>;

const MIN_KEY_LENGTH = 20;

export function generateApiKey(): string {
  return randomBytes(30).toString('base64url');
}

function readPort(env: Env, name: string, fallback: number): number {
  return readInteger(env, name, fallback, { min: 0, max: 65_535 });
}

function readBackend(env: Env): 'embedded' | 'localstack' {
  const backend = env.BACKEND?.trim() || 'embedded';
  if (backend !== 'embedded' && backend !== 'localstack') {
    throw new ConfigError(`BACKEND must be "embedded" or "localstack", got "${backend}"`);
  }
  return backend;
}

function readUrl(env: Env, name: string, fallback: string): string {
  const raw = env[name]?.trim() || fallback;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`${name} must be a URL such as http://localhost:4566, got "${raw}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(`${name} must be an http or https URL, got "${raw}"`);
  }
  return raw.replace(/\/+$/, '');
}

export function loadDevServerConfig(env: Env = process.env): DevServerConfig {
  const keysText = env.API_KEYS?.trim();
  const apiKeys = keysText
    ? keysText
        .split(',')
        .map((k) => k.trim())
        .filter(Boolean)
    : [generateApiKey()];
  for (const key of apiKeys) {
    if (key.length < MIN_KEY_LENGTH || !/^[\x21-\x7e]+$/.test(key)) {
      throw new ConfigError(
        `API_KEYS must be comma-separated keys of at least ${MIN_KEY_LENGTH} printable characters (as API Gateway requires); one is not`,
      );
    }
  }
  const usagePlan: UsagePlan = {
    rateLimit: readInteger(env, 'USAGE_PLAN_RATE_LIMIT', DEFAULTS.usagePlan.rateLimit, {
      min: 1,
      max: 1_000_000,
    }),
    burstLimit: readInteger(env, 'USAGE_PLAN_BURST_LIMIT', DEFAULTS.usagePlan.burstLimit, {
      min: 1,
      max: 1_000_000,
    }),
    quotaPerDay: readInteger(env, 'USAGE_PLAN_QUOTA_PER_DAY', DEFAULTS.usagePlan.quotaPerDay, {
      min: 1,
      max: 1_000_000_000,
    }),
  };
  const host = readName(env, 'HOST', '127.0.0.1');
  return {
    port: readPort(env, 'PORT', 3000),
    host,
    embeddedPort: readPort(env, 'EMBEDDED_PORT', 4566),
    apiKeys,
    generatedApiKey: !keysText,
    usagePlan,
    service: loadConfig(env, { bucketName: DEFAULTS.bucketName, tableName: DEFAULTS.tableName }),
    eventRetryDelayMs: readInteger(env, 'EVENT_RETRY_DELAY_MS', 1000, { min: 0, max: 600_000 }),
    dataDir: env.EMBEDDED_DATA_DIR?.trim() || undefined,
    backend: readBackend(env),
    aws: {
      endpoint: readUrl(env, 'AWS_ENDPOINT_URL', 'http://localhost:4566'),
      publicS3Endpoint: readUrl(
        env,
        'S3_PUBLIC_ENDPOINT',
        readUrl(env, 'AWS_ENDPOINT_URL', 'http://localhost:4566'),
      ),
      region: readName(env, 'AWS_REGION', env.AWS_DEFAULT_REGION ?? 'us-east-1'),
      queueName: readName(env, 'EVENTS_QUEUE_NAME', 'one-time-upload-events'),
    },
  };
}
