/**
 * The one configuration of the service, shared by the handlers, the dev server and the CDK app so that
 * local and AWS behave alike. Defaults live here; `loadConfig` reads the environment and fails fast with
 * a message naming the variable that is wrong.
 */
export const DEFAULTS = {
  uploadUrlTtlSeconds: 30,
  maxUploadBytes: 2 * 1024 ** 3,
  /** Claims outlive their URL by this much, so that an upload that started just before expiry and
   * finishes hours later (S3 accepts POSTs of up to 5 GB) still finds its claim. */
  claimRetentionSeconds: 7 * 24 * 3600,
  usagePlan: { rateLimit: 10_000, burstLimit: 1_000, quotaPerDay: 1_000 },
  uploadsPrefix: 'uploads/',
  acceptedPrefix: 'accepted/',
  bucketName: 'one-time-upload-bucket',
  tableName: 'one-time-upload-claims',
  metricsNamespace: 'OneTimeUpload',
  serviceName: 'one-time-upload',
} as const;

/** S3 accepts at most 5 GiB in one POST or PUT. */
export const S3_SINGLE_UPLOAD_LIMIT = 5 * 1024 ** 3;
/** S3 refuses presigned URLs valid for more than seven days. */
export const MAX_URL_TTL_SECONDS = 7 * 24 * 3600;

/** Environment variable names: the CDK constructs set them, the handlers read them. */
export const ENV = {
  bucketName: 'BUCKET_NAME',
  tableName: 'TABLE_NAME',
  uploadUrlTtlSeconds: 'UPLOAD_URL_TTL_SECONDS',
  maxUploadBytes: 'MAX_UPLOAD_BYTES',
} as const;

export interface ServiceConfig {
  bucketName: string;
  tableName: string;
  uploadUrlTtlSeconds: number;
  maxUploadBytes: number;
  claimRetentionSeconds: number;
  uploadsPrefix: string;
  acceptedPrefix: string;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

type Env = Record<string, string | undefined>;

export function readInteger(
  env: Env,
  name: string,
  fallback: number,
  range: { min: number; max: number },
): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  if (!/^\d+$/.test(raw.trim())) throw new ConfigError(`${name} must be a whole number, got "${raw}"`);
  const value = Number(raw.trim());
  if (value < range.min || value > range.max) {
    throw new ConfigError(`${name} must be between ${range.min} and ${range.max}, got ${value}`);
  }
  return value;
}

export function readName(env: Env, name: string, fallback?: string): string {
  const raw = env[name]?.trim() || fallback;
  if (!raw) throw new ConfigError(`${name} must be set`);
  return raw;
}

/** Which resource names a process needs: a function that never touches the table need not know its name. */
export interface ConfigNeeds {
  bucket: boolean;
  table: boolean;
}

export function loadConfig(
  env: Env = process.env,
  defaults: { bucketName?: string; tableName?: string } = {},
  needs: ConfigNeeds = { bucket: true, table: true },
): ServiceConfig {
  return {
    // A name the process does not use stays empty rather than being demanded.
    bucketName: needs.bucket
      ? readName(env, ENV.bucketName, defaults.bucketName)
      : (env[ENV.bucketName] ?? ''),
    tableName: needs.table ? readName(env, ENV.tableName, defaults.tableName) : (env[ENV.tableName] ?? ''),
    uploadUrlTtlSeconds: readInteger(env, ENV.uploadUrlTtlSeconds, DEFAULTS.uploadUrlTtlSeconds, {
      min: 1,
      max: MAX_URL_TTL_SECONDS,
    }),
    maxUploadBytes: readInteger(env, ENV.maxUploadBytes, DEFAULTS.maxUploadBytes, {
      min: 1,
      max: S3_SINGLE_UPLOAD_LIMIT,
    }),
    claimRetentionSeconds: DEFAULTS.claimRetentionSeconds,
    uploadsPrefix: DEFAULTS.uploadsPrefix,
    acceptedPrefix: DEFAULTS.acceptedPrefix,
  };
}
