/** Domain errors of the upload service. Adapters map them to HTTP answers or to metrics. */
export class UploadServiceError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The request for an upload URL is not acceptable; the message says why and is shown to the caller. */
export class InvalidUploadRequestError extends UploadServiceError {}

/** The claim could not be recorded, so no URL may be handed out. */
export class ClaimNotRecordedError extends UploadServiceError {}

/** No claim exists for this upload id. */
export class UnknownUploadError extends UploadServiceError {}
