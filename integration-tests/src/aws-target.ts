import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { APIGatewayClient, GetApiKeyCommand } from '@aws-sdk/client-api-gateway';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { S3Client } from '@aws-sdk/client-s3';
import type { Target } from './target.js';

/**
 * A stack deployed with `npm run deploy`: the API URL, key, bucket and limits come from the stack's
 * outputs, the key's value through API Gateway. Uses the standard AWS credential chain; STACK_NAME picks
 * the stack (default OneTimeUploadStack). With AWS_ENDPOINT_URL set, the stack is the one
 * `npm run deploy:local` put on LocalStack, whose API Gateway enforces no usage plan and whose S3 checks no
 * POST signature: those tests are skipped with that reason.
 */
export const DEFAULT_STACK_NAME = 'OneTimeUploadStack';

/** Why the AWS run cannot happen here, or undefined. Never probes the network for credentials. */
export function awsUnavailableReason(
  env: Record<string, string | undefined> = process.env,
): string | undefined {
  const configured =
    env.AWS_ACCESS_KEY_ID ||
    env.AWS_PROFILE ||
    env.AWS_WEB_IDENTITY_TOKEN_FILE ||
    env.AWS_CONTAINER_CREDENTIALS_FULL_URI ||
    env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI ||
    existsSync(join(homedir(), '.aws', 'credentials')) ||
    existsSync(join(homedir(), '.aws', 'config'));
  return configured
    ? undefined
    : 'no AWS credentials configured (set AWS_PROFILE or AWS_ACCESS_KEY_ID, and deploy with `npm run deploy`)';
}

function output(outputs: { OutputKey?: string; OutputValue?: string }[], key: string, stack: string): string {
  const value = outputs.find((o) => o.OutputKey === key)?.OutputValue;
  if (!value)
    throw new Error(`stack ${stack} has no output ${key}; deploy the current infra/ with \`npm run deploy\``);
  return value;
}

function optionalOutput(
  outputs: { OutputKey?: string; OutputValue?: string }[],
  key: string,
): string | undefined {
  return outputs.find((o) => o.OutputKey === key)?.OutputValue;
}

export async function startAwsTarget(): Promise<Target> {
  const stackName = process.env.STACK_NAME ?? DEFAULT_STACK_NAME;
  const cloudFormation = new CloudFormationClient({});
  const apiGateway = new APIGatewayClient({});
  try {
    const { Stacks = [] } = await cloudFormation.send(new DescribeStacksCommand({ StackName: stackName }));
    const outputs = Stacks[0]?.Outputs ?? [];
    const apiKeyId = output(outputs, 'ApiKeyId', stackName);
    const key = await apiGateway.send(new GetApiKeyCommand({ apiKey: apiKeyId, includeValue: true }));
    if (!key.value) throw new Error(`API key ${apiKeyId} has no value visible to these credentials`);
    const emulated = Boolean(process.env.AWS_ENDPOINT_URL);
    const s3 = new S3Client(emulated ? { forcePathStyle: true } : {});
    return {
      name: `aws (${stackName})`,
      apiUrl: output(outputs, 'ApiUrl', stackName).replace(/\/+$/, ''),
      apiKey: key.value,
      bucket: output(outputs, 'BucketName', stackName),
      s3,
      // The stack's limits, when it reports them; otherwise the documented defaults.
      uploadUrlTtlSeconds: Number(optionalOutput(outputs, 'UploadUrlTtlSeconds') ?? 30),
      maxUploadBytes: Number(optionalOutput(outputs, 'MaxUploadBytes') ?? 2 * 1024 ** 3),
      gaps: {
        ...(emulated ? { postSignatures: 'LocalStack does not verify POST policy signatures' } : {}),
        faultInjection: 'a deployed Lambda cannot be made to crash on demand',
        chaoticDelivery: 'S3 decides the delivery order on AWS; only the embedded endpoint can force it',
        usagePlan: emulated
          ? "LocalStack's API Gateway does not enforce usage plans"
          : "reaching the throttle and the quota would spend the deployed key's daily quota",
      },
      async stop() {
        s3.destroy();
      },
    };
  } finally {
    cloudFormation.destroy();
    apiGateway.destroy();
  }
}
