import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';

/**
 * The one place AWS clients are built, from the standard variables: AWS_REGION, AWS_ENDPOINT_URL,
 * AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL_DYNAMODB (credentials from the default chain). A custom S3 endpoint
 * (an emulator) gets path-style addressing.
 */
export interface AwsClients {
  s3: S3Client;
  dynamodb: DynamoDBClient;
}

type Env = Record<string, string | undefined>;

export interface ClientOverrides {
  region?: string;
  s3Endpoint?: string;
  dynamodbEndpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** A transport for the DynamoDB client (the dev server reaches its embedded DynamoDB in process). */
  dynamodbRequestHandler?: DynamoDBClientConfig['requestHandler'];
}

export function createClients(env: Env = process.env, overrides: ClientOverrides = {}): AwsClients {
  const region = overrides.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1';
  const s3Endpoint = overrides.s3Endpoint ?? env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL;
  const dynamodbEndpoint =
    overrides.dynamodbEndpoint ?? env.AWS_ENDPOINT_URL_DYNAMODB ?? env.AWS_ENDPOINT_URL;
  const credentials = overrides.credentials ? { credentials: overrides.credentials } : {};
  const s3 = new S3Client({
    region,
    ...credentials,
    ...(s3Endpoint ? { endpoint: s3Endpoint, forcePathStyle: true } : {}),
    // Presigned URLs must not carry a checksum of an empty body: clients upload their own bytes.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    // The middleware stack is complete once built here: resolve it once per command, not per call.
    cacheMiddleware: true,
  });
  const dynamodb = new DynamoDBClient({
    region,
    cacheMiddleware: true,
    ...credentials,
    ...(dynamodbEndpoint ? { endpoint: dynamodbEndpoint } : {}),
    ...(overrides.dynamodbRequestHandler ? { requestHandler: overrides.dynamodbRequestHandler } : {}),
  });
  return { s3, dynamodb };
}
