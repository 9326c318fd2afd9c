import { DEFAULTS } from '@one-time-upload/services/config';
import { describe, expect, it } from 'vitest';
import { readSettings } from '../lib/settings.js';

const from = (context: Record<string, unknown>) => readSettings((key) => context[key]);

describe('stack settings', () => {
  it('defaults to the shared configuration the dev server uses', () => {
    expect(from({})).toEqual({
      allowedOrigins: ['*'],
      uploadsExpirationDays: 30,
      noncurrentVersionExpirationDays: 30,
      kms: false,
      deletionProtection: false,
      destroyOnRemoval: false,
      uploadUrlTtlSeconds: DEFAULTS.uploadUrlTtlSeconds,
      maxUploadBytes: DEFAULTS.maxUploadBytes,
      usagePlan: DEFAULTS.usagePlan,
      logRetentionDays: 30,
      logLevel: 'INFO',
    });
  });

  it('reads -c strings and cdk.json values alike', () => {
    const settings = from({
      smsNumber: '+14155550100',
      alarmEmail: 'ops@example.com',
      allowedOrigins: ['https://app.example.com', 'http://localhost:5173'],
      kms: 'on',
      deletionProtection: true,
      usagePlanQuotaPerDay: 5000,
    });
    expect(settings).toMatchObject({
      smsNumber: '+14155550100',
      alarmEmail: 'ops@example.com',
      allowedOrigins: ['https://app.example.com', 'http://localhost:5173'],
      kms: true,
      deletionProtection: true,
      usagePlan: { ...DEFAULTS.usagePlan, quotaPerDay: 5000 },
    });
  });

  it.each([
    [{ smsNumber: '0155 555' }, /context smsNumber must be an E\.164 phone number/],
    [{ alarmEmail: 'ops' }, /context alarmEmail must be an email address/],
    [{ allowedOrigins: 'app.example.com' }, /context allowedOrigins: "app\.example\.com" is not an origin/],
    [{ kms: 'maybe' }, /context kms must be true or false/],
    [{ uploadUrlTtlSeconds: '0' }, /context uploadUrlTtlSeconds must be between 1 and 604800/],
    [{ maxUploadBytes: '6000000000' }, /context maxUploadBytes must be between 1 and 5368709120/],
    [{ usagePlanRateLimit: 'fast' }, /context usagePlanRateLimit must be a whole number/],
    [{ logRetentionDays: '10' }, /context logRetentionDays must be one of/],
    [{ logLevel: 'chatty' }, /context logLevel must be one of DEBUG, INFO, WARN, ERROR/],
  ])('refuses %o with a message naming the key', (context, message) => {
    expect(() => from(context)).toThrow(message);
  });
});
