import type { S3Client } from '@aws-sdk/client-s3';

/**
 * What the suite runs against: an API (URL and key) and the S3 bucket behind it. The embedded stack,
 * LocalStack and a deployed AWS stack each provide one. Capabilities a target lacks are named, so the
 * tests that need them are skipped with that reason instead of being weakened.
 */
export interface UsagePlanTarget {
  apiUrl: string;
  apiKey: string;
  burstLimit: number;
  quotaPerDay: number;
  stop(): Promise<void>;
}

export interface Target {
  name: string;
  apiUrl: string;
  apiKey: string;
  bucket: string;
  /** Reads accepted objects (with the target's credentials). */
  s3: S3Client;
  uploadUrlTtlSeconds: number;
  maxUploadBytes: number;
  /** Why a group of tests cannot run here; absent when it can. */
  gaps: {
    postSignatures?: string;
    usagePlan?: string;
    faultInjection?: string;
    chaoticDelivery?: string;
  };
  /** A second API with a tight usage plan, to reach the throttle and the quota quickly. */
  tightUsagePlan?: () => Promise<UsagePlanTarget>;
  /** Makes the next copy to `accepted/` fail once, as if the handler died after consuming the claim. */
  failNextCopy?: () => { failed: () => boolean };
  stop(): Promise<void>;
}
