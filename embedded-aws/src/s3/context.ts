import type { Credentials } from './auth.js';
import type { EventBus, S3EventName } from './events.js';
import type { S3Request } from './request.js';
import type { Bucket, ObjectVersion, Store } from './store.js';

/** What every S3 operation needs: the store, the event bus, the accepted credentials. */
export interface S3Context {
  store: Store;
  events: EventBus;
  credentials: Credentials;
  region: string;
}

/** The principal a request was signed by, for event records. */
export interface Caller {
  accessKeyId: string;
}

/** Schedules an event once the response has gone out, as S3 does. */
export function emitAfterResponse(
  ctx: S3Context,
  r: S3Request,
  bucket: Bucket,
  eventName: S3EventName,
  object: ObjectVersion,
  caller: Caller,
): void {
  const emit = () =>
    ctx.events.emit(bucket.name, eventName, object, {
      requestId: r.requestId,
      sourceIp: r.req.socket.remoteAddress ?? '127.0.0.1',
      versioned: bucket.versioning !== undefined,
      principal: caller.accessKeyId,
    });
  if (r.res.writableFinished) emit();
  else r.res.once('finish', emit);
}
