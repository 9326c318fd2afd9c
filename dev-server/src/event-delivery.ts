import type { EmbeddedAws, S3Event as EmbeddedS3Event } from '@one-time-upload/embedded-aws';
import type { S3Handler } from '@one-time-upload/services';
import type { S3Event } from 'aws-lambda';
import type { FastifyBaseLogger } from 'fastify';

/**
 * Delivers S3 events to the handlers as S3 invokes Lambda: asynchronously, and on failure twice more
 * (Lambda's asynchronous retries, after a delay and twice that). A failure after the last attempt is
 * logged with the event; on AWS it would go to the function's on-failure destination.
 */
export interface Subscription {
  bucket: string;
  prefix: string;
  name: string;
  handler: S3Handler;
}

export interface DeliveryOptions {
  retryDelayMs: number;
  log: FastifyBaseLogger;
}

const ATTEMPTS = 3;

export async function invokeWithRetries(
  name: string,
  handler: S3Handler,
  event: S3Event,
  options: DeliveryOptions,
): Promise<boolean> {
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    try {
      await handler(event);
      return true;
    } catch (error) {
      const key = event.Records[0]?.s3.object.key;
      if (attempt === ATTEMPTS) {
        options.log.error(
          { err: error, handler: name, key, attempts: attempt },
          'event handler failed on every attempt; event dropped',
        );
        return false;
      }
      options.log.warn(
        { err: error, handler: name, key, attempt },
        'event handler failed; retrying as Lambda would',
      );
      await new Promise((resolve) => setTimeout(resolve, options.retryDelayMs * 2 ** (attempt - 1)));
    }
  }
  return false;
}

export function subscribeHandlers(
  aws: EmbeddedAws,
  subscriptions: Subscription[],
  options: DeliveryOptions,
): () => void {
  const unsubscribers = subscriptions.map((s) =>
    aws.subscribe(
      { bucket: s.bucket, events: ['s3:ObjectCreated:*'], prefix: s.prefix, id: s.name },
      (event: EmbeddedS3Event) => invokeWithRetries(s.name, s.handler, event as unknown as S3Event, options),
    ),
  );
  return () => {
    for (const unsubscribe of unsubscribers) unsubscribe();
  };
}
