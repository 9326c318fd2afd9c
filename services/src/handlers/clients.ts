import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * The one place AWS clients are built, from the standard variables: AWS_REGION, AWS_ENDPOINT_URL,
 * AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL_DYNAMODB (credentials from the default chain). A custom S3 endpoint
 * (an emulator) gets path-style addressing.
 */
export interface AwsClients {
  s3: S3Client;
  dynamodb: DynamoDBDocumentClient;
}

type Env = Record<string, string | undefined>;

export interface ClientOverrides {
  region?: string;
  s3Endpoint?: string;
  dynamodbEndpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
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
  });
  const dynamodb = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      region,
      ...credentials,
      ...(dynamodbEndpoint ? { endpoint: dynamodbEndpoint } : {}),
    }),
    { marshallOptions: { removeUndefinedValues: true } },
  );
  return { s3, dynamodb };
}
