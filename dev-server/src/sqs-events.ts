import { PutBucketNotificationConfigurationCommand, type S3Client } from '@aws-sdk/client-s3';
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  SetQueueAttributesCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { S3Handler, ServiceConfig } from '@one-time-upload/services';
import type { S3Event } from 'aws-lambda';
import type { FastifyBaseLogger } from 'fastify';

/**
 * With an emulator (LocalStack, Floci) the bucket notifies an SQS queue, and the dev server long-polls it
 * and hands each event to the handler for its key prefix, as S3 invokes Lambda. A message is deleted only
 * after its handler succeeded; a failed one becomes visible again and is retried (at least once, like
 * Lambda), and is dropped with an ERROR after the third attempt, as Lambda drops an asynchronous event.
 */
export interface EventRoute {
  prefix: string;
  name: string;
  handler: S3Handler;
}

const MAX_ATTEMPTS = 3;
const VISIBILITY_TIMEOUT_SECONDS = 10;

export async function provisionEventQueue(
  s3: S3Client,
  sqs: SQSClient,
  service: ServiceConfig,
  queueName: string,
): Promise<string> {
  const { QueueUrl } = await sqs.send(
    new CreateQueueCommand({
      QueueName: queueName,
      Attributes: {
        VisibilityTimeout: String(VISIBILITY_TIMEOUT_SECONDS),
        ReceiveMessageWaitTimeSeconds: '20',
      },
    }),
  );
  if (!QueueUrl) throw new Error(`the emulator did not return a URL for queue ${queueName}`);
  const attributes = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
  );
  const queueArn = attributes.Attributes?.QueueArn;
  if (!queueArn) throw new Error(`the emulator did not return an ARN for queue ${queueName}`);
  await sqs.send(
    new SetQueueAttributesCommand({
      QueueUrl,
      Attributes: {
        Policy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { Service: 's3.amazonaws.com' },
              Action: 'sqs:SendMessage',
              Resource: queueArn,
              Condition: { ArnLike: { 'aws:SourceArn': `arn:aws:s3:::${service.bucketName}` } },
            },
          ],
        }),
      },
    }),
  );
  await s3.send(
    new PutBucketNotificationConfigurationCommand({
      Bucket: service.bucketName,
      NotificationConfiguration: {
        QueueConfigurations: [service.uploadsPrefix, service.acceptedPrefix].map((prefix) => ({
          Id: `dev-server-${prefix.replace(/\W/g, '')}`,
          QueueArn: queueArn,
          Events: ['s3:ObjectCreated:*'],
          Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: prefix }] } },
        })),
      },
    }),
  );
  return QueueUrl;
}

/** Decodes a message body into an S3 event, or undefined for S3's test event and anything else. */
export function parseS3Event(body: string | undefined): S3Event | undefined {
  try {
    const event = JSON.parse(body ?? '') as Partial<S3Event> & { Event?: string };
    return Array.isArray(event.Records) && event.Records.length > 0 ? (event as S3Event) : undefined;
  } catch {
    return undefined;
  }
}

export interface PollerOptions {
  sqs: SQSClient;
  queueUrl: string;
  routes: EventRoute[];
  log: FastifyBaseLogger;
  signal: AbortSignal;
}

async function handleMessage(message: Message, options: PollerOptions): Promise<void> {
  const remove = () =>
    options.sqs.send(
      new DeleteMessageCommand({ QueueUrl: options.queueUrl, ReceiptHandle: message.ReceiptHandle }),
    );
  const event = parseS3Event(message.Body);
  if (!event) {
    await remove();
    return;
  }
  const key = event.Records[0]?.s3.object.key ?? '';
  const route = options.routes.find((r) => key.startsWith(r.prefix));
  if (!route) {
    await remove();
    return;
  }
  try {
    await route.handler(event);
    await remove();
  } catch (error) {
    const attempts = Number(message.Attributes?.ApproximateReceiveCount ?? '1');
    if (attempts >= MAX_ATTEMPTS) {
      options.log.error(
        { err: error, handler: route.name, key, attempts },
        'event handler failed on every attempt; event dropped',
      );
      await remove();
      return;
    }
    options.log.warn(
      { err: error, handler: route.name, key, attempt: attempts },
      'event handler failed; the message will be delivered again',
    );
  }
}

/** Long-polls until the signal aborts. Resolves when the loop has stopped. */
export async function pollEvents(options: PollerOptions): Promise<void> {
  while (!options.signal.aborted) {
    try {
      const { Messages = [] } = await options.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: options.queueUrl,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 20,
          MessageSystemAttributeNames: ['ApproximateReceiveCount'],
        }),
        { abortSignal: options.signal },
      );
      await Promise.all(Messages.map((message) => handleMessage(message, options)));
    } catch (error) {
      if (options.signal.aborted) return;
      options.log.warn({ err: error }, 'polling the event queue failed; retrying in a second');
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}
