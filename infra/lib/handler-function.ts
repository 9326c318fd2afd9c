import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { LAMBDA_ENTRIES } from '@one-time-upload/services';
import { DEFAULTS } from '@one-time-upload/services/config';
import type { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Effect, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat, SourceMapMode } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { acknowledge } from './nag.js';

/** The four Lambda entry points of `services`. */
export type HandlerName = keyof typeof LAMBDA_ENTRIES;

/**
 * Entry files relative to the services package: `LAMBDA_ENTRIES`, restated because importing the value
 * would load the AWS SDK and Powertools into the CDK app. Typed as `typeof LAMBDA_ENTRIES` (a type-only
 * import), so the compiler rejects any difference between the two lists.
 */
export const HANDLER_ENTRIES: typeof LAMBDA_ENTRIES = {
  issueUploadUrl: 'src/lambda/issue-upload-url.ts',
  getUploadStatus: 'src/lambda/get-upload-status.ts',
  acceptFirstUpload: 'src/lambda/accept-first-upload.ts',
  processAcceptedFile: 'src/lambda/process-accepted-file.ts',
};

/** The services package folder, found the way Node finds the package (the workspace link). */
export const SERVICES_DIR = dirname(
  dirname(createRequire(import.meta.url).resolve('@one-time-upload/services/config')),
);

/** ESM bundles may still meet a CommonJS `require` (in bundled dependencies): give them one. */
const ESM_REQUIRE_BANNER =
  "import { createRequire as __createRequire } from 'module'; const require = __createRequire(import.meta.url);";

export interface HandlerFunctionProps {
  handler: HandlerName;
  description: string;
  timeout: Duration;
  memorySize: number;
  logLevel: string;
  logRetention: RetentionDays;
  removalPolicy: RemovalPolicy;
}

/**
 * One service handler as a Lambda function: Node.js 22 on arm64, an ESM bundle built by the local esbuild
 * (no Docker), source maps, X-Ray, Powertools settings, and its own log group with a retention.
 *
 * Its role starts empty: only writing to its own log group (instead of the managed
 * AWSLambdaBasicExecutionRole, which allows every log group) and, through tracing, X-Ray. Everything else
 * is granted by the constructs that own the resources, which also set the variables the handler reads.
 */
export class HandlerFunction extends Construct {
  readonly function: NodejsFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: HandlerFunctionProps) {
    super(scope, id);
    this.logGroup = new LogGroup(this, 'Logs', {
      retention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `${props.description} (least privilege)`,
    });
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn],
      }),
    );
    this.function = new NodejsFunction(this, 'Function', {
      entry: join(SERVICES_DIR, HANDLER_ENTRIES[props.handler]),
      handler: 'handler',
      description: props.description,
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize,
      timeout: props.timeout,
      role: this.role,
      logGroup: this.logGroup,
      tracing: Tracing.ACTIVE,
      environment: {
        POWERTOOLS_SERVICE_NAME: DEFAULTS.serviceName,
        POWERTOOLS_METRICS_NAMESPACE: DEFAULTS.metricsNamespace,
        POWERTOOLS_LOG_LEVEL: props.logLevel,
        // Stack traces in the logs point at the TypeScript sources.
        NODE_OPTIONS: '--enable-source-maps',
      },
      bundling: {
        forceDockerBundling: false,
        format: OutputFormat.ESM,
        target: 'node22',
        mainFields: ['module', 'main'],
        banner: ESM_REQUIRE_BANNER,
        minify: true,
        sourceMap: true,
        sourceMapMode: SourceMapMode.DEFAULT,
        // Maps without the sources: enough to name file and line, and the asset stays small.
        sourcesContent: false,
        // The AWS SDK v3 is bundled rather than taken from the runtime: the handlers then run the SDK
        // version they were tested with (the runtime's copy changes without notice), and tree shaking
        // keeps each bundle under 1 MB (see `npm run bench`).
        externalModules: [],
      },
    });
    acknowledge(
      this,
      'AwsSolutions-IAM5[Resource::*]',
      'Active tracing adds xray:PutTraceSegments and xray:PutTelemetryRecords, which support no ' +
        'resource-level permissions (https://docs.aws.amazon.com/xray/latest/devguide/security_iam_id-based-policy-examples.html); ' +
        'no other statement of this role uses "*".',
    );
    acknowledge(
      this,
      'AwsSolutions-L1',
      'Node.js 22 is the runtime the handlers are built (esbuild target node22) and tested for; moving to a ' +
        'newer runtime is a deliberate upgrade with its own test run, not a side effect of a CDK upgrade.',
    );
  }
}
