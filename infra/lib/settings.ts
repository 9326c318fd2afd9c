import { DEFAULTS, MAX_URL_TTL_SECONDS, S3_SINGLE_UPLOAD_LIMIT } from '@one-time-upload/services/config';

/**
 * What a deployment may choose, read from CDK context (`-c key=value` or cdk.json). Defaults come from the
 * services' shared configuration, so the stack and the dev server behave alike. A malformed value stops the
 * synth with a message naming the context key.
 */
export interface StackSettings {
  /** E.164 phone number that receives the alarms by SMS. */
  smsNumber?: string;
  /** Email address that receives the alarms (the subscription must be confirmed). */
  alarmEmail?: string;
  /** Origins allowed to upload from a browser (CORS). */
  allowedOrigins: string[];
  /** Days after which objects under `uploads/` expire (the accepted copy stays). */
  uploadsExpirationDays: number;
  /** Days after which noncurrent versions (replaced or expired uploads) are removed. */
  noncurrentVersionExpirationDays: number;
  /** Encrypt the bucket (and the alarm topic) with a customer-managed KMS key instead of S3-managed keys. */
  kms: boolean;
  /** Protect the claims table against deletion. */
  deletionProtection: boolean;
  /** Delete the bucket, table and key with the stack (for throw-away stacks; the bucket must be empty). */
  destroyOnRemoval: boolean;
  uploadUrlTtlSeconds: number;
  maxUploadBytes: number;
  usagePlan: { rateLimit: number; burstLimit: number; quotaPerDay: number };
  /** Days CloudWatch keeps the functions' and the API's logs. */
  logRetentionDays: number;
  /** Powertools log level of the handlers. */
  logLevel: (typeof LOG_LEVELS)[number];
}

export class SettingsError extends Error {
  override name = 'SettingsError';
}

/** CDK context as `node.tryGetContext` returns it: strings from `-c`, any JSON value from cdk.json. */
export type ContextReader = (key: string) => unknown;

/** Retention periods CloudWatch Logs accepts. */
const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];
const LOG_LEVELS = ['DEBUG', 'INFO', 'WARN', 'ERROR'] as const;
const E164 = /^\+[1-9]\d{6,14}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const ORIGIN = /^(\*|https?:\/\/(\*\.)?[A-Za-z0-9.-]+(:\d{1,5})?)$/;

function text(read: ContextReader, key: string): string | undefined {
  const value = read(key);
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
    throw new SettingsError(`context ${key} must be a string, number or boolean`);
  }
  const trimmed = String(value).trim();
  return trimmed === '' ? undefined : trimmed;
}

function integer(read: ContextReader, key: string, fallback: number, min: number, max: number): number {
  const raw = text(read, key);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw)) throw new SettingsError(`context ${key} must be a whole number, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) {
    throw new SettingsError(`context ${key} must be between ${min} and ${max}, got ${value}`);
  }
  return value;
}

function flag(read: ContextReader, key: string, fallback: boolean): boolean {
  const raw = text(read, key);
  if (raw === undefined) return fallback;
  if (/^(true|on|yes|1)$/i.test(raw)) return true;
  if (/^(false|off|no|0)$/i.test(raw)) return false;
  throw new SettingsError(`context ${key} must be true or false (on/off), got "${raw}"`);
}

function matching(read: ContextReader, key: string, pattern: RegExp, what: string): string | undefined {
  const raw = text(read, key);
  if (raw !== undefined && !pattern.test(raw)) {
    throw new SettingsError(`context ${key} must be ${what}, got "${raw}"`);
  }
  return raw;
}

function origins(read: ContextReader): string[] {
  const value = read('allowedOrigins');
  const list =
    value === undefined || value === null
      ? ['*']
      : Array.isArray(value)
        ? value.map(String)
        : String(value).split(',');
  const cleaned = list.map((origin) => origin.trim()).filter((origin) => origin !== '');
  if (cleaned.length === 0) throw new SettingsError('context allowedOrigins must name at least one origin');
  for (const origin of cleaned) {
    if (!ORIGIN.test(origin)) {
      throw new SettingsError(
        `context allowedOrigins: "${origin}" is not an origin such as https://app.example.com or *`,
      );
    }
  }
  return cleaned;
}

export function readSettings(read: ContextReader): StackSettings {
  const smsNumber = matching(read, 'smsNumber', E164, 'an E.164 phone number such as +14155550100');
  const alarmEmail = matching(read, 'alarmEmail', EMAIL, 'an email address');
  const logRetentionDays = integer(read, 'logRetentionDays', 30, 1, 3653);
  if (!LOG_RETENTION_DAYS.includes(logRetentionDays)) {
    throw new SettingsError(
      `context logRetentionDays must be one of ${LOG_RETENTION_DAYS.join(', ')}, got ${logRetentionDays}`,
    );
  }
  const rawLevel = (text(read, 'logLevel') ?? 'INFO').toUpperCase();
  const logLevel = LOG_LEVELS.find((level) => level === rawLevel);
  if (!logLevel) {
    throw new SettingsError(`context logLevel must be one of ${LOG_LEVELS.join(', ')}, got "${rawLevel}"`);
  }
  return {
    ...(smsNumber ? { smsNumber } : {}),
    ...(alarmEmail ? { alarmEmail } : {}),
    allowedOrigins: origins(read),
    uploadsExpirationDays: integer(read, 'uploadsExpirationDays', 30, 1, 3650),
    noncurrentVersionExpirationDays: integer(read, 'noncurrentVersionExpirationDays', 30, 1, 3650),
    kms: flag(read, 'kms', false),
    deletionProtection: flag(read, 'deletionProtection', false),
    destroyOnRemoval: flag(read, 'destroyOnRemoval', false),
    uploadUrlTtlSeconds: integer(
      read,
      'uploadUrlTtlSeconds',
      DEFAULTS.uploadUrlTtlSeconds,
      1,
      MAX_URL_TTL_SECONDS,
    ),
    maxUploadBytes: integer(read, 'maxUploadBytes', DEFAULTS.maxUploadBytes, 1, S3_SINGLE_UPLOAD_LIMIT),
    usagePlan: {
      rateLimit: integer(read, 'usagePlanRateLimit', DEFAULTS.usagePlan.rateLimit, 1, 1_000_000),
      burstLimit: integer(read, 'usagePlanBurstLimit', DEFAULTS.usagePlan.burstLimit, 1, 1_000_000),
      quotaPerDay: integer(read, 'usagePlanQuotaPerDay', DEFAULTS.usagePlan.quotaPerDay, 1, 1_000_000_000),
    },
    logRetentionDays,
    logLevel,
  };
}
