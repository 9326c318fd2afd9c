import type { RemovalPolicy } from 'aws-cdk-lib';
import {
  AccessLogFormat,
  ApiKey,
  EndpointType,
  type IModel,
  JsonSchemaType,
  JsonSchemaVersion,
  LambdaIntegration,
  LogGroupLogDestination,
  MethodLoggingLevel,
  Period,
  RequestValidator,
  RestApi,
  type UsagePlan,
} from 'aws-cdk-lib/aws-apigateway';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { HandlerFunction } from './handler-function.js';
import { acknowledge } from './nag.js';

export interface UploadApiProps {
  issuer: HandlerFunction;
  status: HandlerFunction;
  usagePlan: { rateLimit: number; burstLimit: number; quotaPerDay: number };
  /** The largest upload a request may ask for (the model's maximum; the Lambda checks it as well). */
  maxUploadBytes: number;
  logRetention: RetentionDays;
  removalPolicy: RemovalPolicy;
}

export const STAGE_NAME = 'v1';

/**
 * The REST API: `GET /getpresignedurl`, `POST /uploads`, `GET /uploads/{id}`, each requiring an API key
 * that belongs to a usage plan (throttle per key, daily quota). `POST /uploads` bodies are validated
 * against a model before the Lambda runs; the Lambda validates again, with messages that name the field.
 */
export class UploadApi extends Construct {
  readonly api: RestApi;
  readonly apiKey: ApiKey;
  readonly usagePlan: UsagePlan;
  readonly accessLogs: LogGroup;

  constructor(scope: Construct, id: string, props: UploadApiProps) {
    super(scope, id);
    this.accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });
    this.api = new RestApi(this, 'Api', {
      description: 'One-time upload URLs for Amazon S3',
      endpointTypes: [EndpointType.REGIONAL],
      // API Gateway writes access and execution logs only with an account-level CloudWatch role.
      cloudWatchRole: true,
      cloudWatchRoleRemovalPolicy: props.removalPolicy,
      defaultMethodOptions: { apiKeyRequired: true },
      deployOptions: {
        stageName: STAGE_NAME,
        accessLogDestination: new LogGroupLogDestination(this.accessLogs),
        accessLogFormat: AccessLogFormat.jsonWithStandardFields(),
        // Errors only, and never request bodies: they are upload options, but logs need no payloads.
        loggingLevel: MethodLoggingLevel.ERROR,
        dataTraceEnabled: false,
        metricsEnabled: true,
        tracingEnabled: true,
      },
    });

    // The stack outputs the URL as ApiUrl, under a name that does not change with the construct tree.
    this.api.node.tryRemoveChild('Endpoint');

    const validator = new RequestValidator(this, 'Validator', {
      restApi: this.api,
      requestValidatorName: 'body-and-parameters',
      validateRequestBody: true,
      validateRequestParameters: true,
    });
    const uploadRequest = this.uploadRequestModel(props.maxUploadBytes);
    // The S3-invocation permissions are the only ones the functions need; no console test invocations.
    const issue = new LambdaIntegration(props.issuer.function, { allowTestInvoke: false });
    const status = new LambdaIntegration(props.status.function, { allowTestInvoke: false });

    this.api.root.addResource('getpresignedurl').addMethod('GET', issue, { apiKeyRequired: true });
    const uploads = this.api.root.addResource('uploads');
    uploads.addMethod('POST', issue, {
      apiKeyRequired: true,
      requestValidator: validator,
      requestModels: { 'application/json': uploadRequest },
    });
    uploads.addResource('{id}').addMethod('GET', status, {
      apiKeyRequired: true,
      requestValidator: validator,
      requestParameters: { 'method.request.path.id': true },
    });

    this.apiKey = new ApiKey(this, 'ApiKey', {
      description: 'Key for the one-time upload API (its value: see the ApiKeyValueCommand output)',
    });
    this.usagePlan = this.api.addUsagePlan('UsagePlan', {
      description: 'Throttle and daily quota per API key',
      throttle: { rateLimit: props.usagePlan.rateLimit, burstLimit: props.usagePlan.burstLimit },
      quota: { limit: props.usagePlan.quotaPerDay, period: Period.DAY },
      apiStages: [{ api: this.api, stage: this.api.deploymentStage }],
    });
    this.usagePlan.addApiKey(this.apiKey);

    const keyAccess =
      'Access is by API key with a usage plan, as the service is specified: its callers are programs, ' +
      'not signed-in users, and every method requires the key (asserted by the tests). IAM or Cognito ' +
      'authorization would require an identity the callers do not have.';
    acknowledge(this.api, 'AwsSolutions-APIG4', keyAccess);
    acknowledge(this.api, 'AwsSolutions-COG4', keyAccess);
    acknowledge(
      this.api,
      'AwsSolutions-APIG3',
      'No WAF web ACL by default: the usage plan throttles and caps every key, and a web ACL (a cost per ' +
        'month and per request) can be associated with the stage where a deployment needs one.',
    );
    acknowledge(
      this.api,
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      'API Gateway needs this account-level role to write the access and execution logs; ' +
        'AmazonAPIGatewayPushToCloudWatchLogs is the policy AWS documents for it ' +
        '(https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html).',
    );
  }

  /** The fields `services` accepts in a `POST /uploads` body (`parseUploadRequest`), nothing more. */
  private uploadRequestModel(maxUploadBytes: number): IModel {
    return this.api.addModel('UploadRequest', {
      contentType: 'application/json',
      modelName: 'UploadRequest',
      description: 'Options of POST /uploads',
      schema: {
        schema: JsonSchemaVersion.DRAFT4,
        title: 'UploadRequest',
        type: JsonSchemaType.OBJECT,
        additionalProperties: false,
        properties: {
          contentType: { type: JsonSchemaType.STRING, minLength: 1 },
          maxBytes: { type: JsonSchemaType.INTEGER, minimum: 1, maximum: maxUploadBytes },
          method: { type: JsonSchemaType.STRING, enum: ['POST', 'PUT'] },
          contentLength: { type: JsonSchemaType.INTEGER, minimum: 1, maximum: maxUploadBytes },
        },
      },
    });
  }
}
