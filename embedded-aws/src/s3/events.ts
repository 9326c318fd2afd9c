import { randomBytes } from 'node:crypto';
import type { ObjectVersion } from './store.js';

/**
 * S3 event notifications for in-process subscribers. Records have the shape S3 sends to Lambda
 * (eventVersion 2.1). Delivery is asynchronous, after the response that caused it; with `chaos`, some
 * events are delivered twice and in another order, as S3's at-least-once, unordered delivery allows.
 */
export type S3EventName =
  | 'ObjectCreated:Put'
  | 'ObjectCreated:Post'
  | 'ObjectCreated:Copy'
  | 'ObjectCreated:CompleteMultipartUpload'
  | 'ObjectRemoved:Delete'
  | 'ObjectRemoved:DeleteMarkerCreated';

export interface S3EventRecord {
  eventVersion: '2.1';
  eventSource: 'aws:s3';
  awsRegion: string;
  eventTime: string;
  eventName: S3EventName;
  userIdentity: { principalId: string };
  requestParameters: { sourceIPAddress: string };
  responseElements: { 'x-amz-request-id': string; 'x-amz-id-2': string };
  s3: {
    s3SchemaVersion: '1.0';
    configurationId: string;
    bucket: { name: string; ownerIdentity: { principalId: string }; arn: string };
    object: { key: string; size?: number; eTag?: string; versionId?: string; sequencer: string };
  };
}

export interface S3Event {
  Records: S3EventRecord[];
}

export interface EventFilter {
  /** Only this bucket; any bucket when omitted. */
  bucket?: string;
  /** S3 event types such as `s3:ObjectCreated:*` or `s3:ObjectRemoved:Delete`; all when omitted. */
  events?: string[];
  prefix?: string;
  suffix?: string;
  /** Shown as `configurationId` in the records. */
  id?: string;
}

export type EventHandler = (event: S3Event) => unknown;

export interface ChaosOptions {
  /** Probability (0..1) that an event is delivered a second time. */
  duplicateProbability?: number;
  /** Each delivery waits a random time up to this, so events overtake each other. */
  maxDelayMs?: number;
  /** Source of randomness, for repeatable runs. */
  random?: () => number;
}

interface Subscription {
  filter: EventFilter;
  handler: EventHandler;
}

const OWNER = 'A3NL1KOZZKExample';

/** The key as S3 writes it into records: form-URL-encoded (`+` for a space), `/` kept as it is. */
export function encodeEventKey(key: string): string {
  return new URLSearchParams({ k: key }).toString().slice(2).replace(/%2F/g, '/');
}

export function eventMatches(filter: EventFilter, bucket: string, eventName: string, key: string): boolean {
  if (filter.bucket !== undefined && filter.bucket !== bucket) return false;
  if (filter.prefix && !key.startsWith(filter.prefix)) return false;
  if (filter.suffix && !key.endsWith(filter.suffix)) return false;
  if (!filter.events || filter.events.length === 0) return true;
  const full = `s3:${eventName}`;
  return filter.events.some((pattern) =>
    pattern.endsWith(':*') ? full.startsWith(pattern.slice(0, -1)) : pattern === full,
  );
}

export class EventBus {
  private readonly subscriptions = new Set<Subscription>();
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(
    private readonly region: string,
    private readonly chaos: ChaosOptions | undefined,
    private readonly onHandlerError: (error: unknown, event: S3Event) => void,
  ) {}

  subscribe(filter: EventFilter, handler: EventHandler): () => void {
    const subscription = { filter, handler };
    this.subscriptions.add(subscription);
    return () => this.subscriptions.delete(subscription);
  }

  /** Builds the record and schedules delivery to every matching subscriber. */
  emit(
    bucket: string,
    eventName: S3EventName,
    object: ObjectVersion,
    context: { requestId: string; sourceIp: string; versioned: boolean; principal: string },
  ): void {
    for (const subscription of this.subscriptions) {
      if (!eventMatches(subscription.filter, bucket, eventName, object.key)) continue;
      const record: S3EventRecord = {
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        awsRegion: this.region,
        eventTime: new Date().toISOString(),
        eventName,
        userIdentity: { principalId: `AWS:${context.principal}` },
        requestParameters: { sourceIPAddress: context.sourceIp },
        responseElements: {
          'x-amz-request-id': context.requestId,
          'x-amz-id-2': randomBytes(32).toString('base64'),
        },
        s3: {
          s3SchemaVersion: '1.0',
          configurationId: subscription.filter.id ?? 'embedded-aws',
          bucket: { name: bucket, ownerIdentity: { principalId: OWNER }, arn: `arn:aws:s3:::${bucket}` },
          object: {
            key: encodeEventKey(object.key),
            ...(eventName.startsWith('ObjectCreated') ? { size: object.size, eTag: object.etag } : {}),
            ...(context.versioned && object.versionId !== 'null' ? { versionId: object.versionId } : {}),
            sequencer: object.sequencer,
          },
        },
      };
      this.schedule(subscription.handler, { Records: [record] });
    }
  }

  private schedule(handler: EventHandler, event: S3Event): void {
    const random = this.chaos?.random ?? Math.random;
    const deliveries = this.chaos && random() < (this.chaos.duplicateProbability ?? 0) ? 2 : 1;
    for (let i = 0; i < deliveries; i++) {
      const delay = this.chaos?.maxDelayMs ? Math.floor(random() * this.chaos.maxDelayMs) : 0;
      // A deep copy per delivery: a handler that mutates its event must not change another's.
      const copy = structuredClone(event);
      const delivery = wait(delay)
        .then(() => handler(copy))
        .catch((error: unknown) => this.onHandlerError(error, copy));
      this.inFlight.add(delivery);
      delivery.finally(() => this.inFlight.delete(delivery));
    }
  }

  /** Resolves when every scheduled delivery, including ones scheduled meanwhile, has finished. */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }
}

function wait(ms: number): Promise<void> {
  return ms > 0
    ? new Promise((resolve) => setTimeout(resolve, ms))
    : new Promise((resolve) => setImmediate(resolve));
}
