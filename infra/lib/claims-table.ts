import { ENV } from '@one-time-upload/services/config';
import type { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { HandlerFunction } from './handler-function.js';

export interface ClaimsTableProps {
  deletionProtection: boolean;
  removalPolicy: RemovalPolicy;
}

/**
 * The claims table of the services (`services/src/core/claims.ts`): partition key `id` (string), TTL
 * attribute `ttl`, on demand, point-in-time recovery. Each grant names the exact DynamoDB actions a
 * handler calls and sets TABLE_NAME for it.
 */
export class ClaimsTable extends Construct {
  readonly table: Table;

  constructor(scope: Construct, id: string, props: ClaimsTableProps) {
    super(scope, id);
    this.table = new Table(this, 'Table', {
      partitionKey: { name: 'id', type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: 'ttl',
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: props.deletionProtection,
      // Claims hold upload keys and ids, no file contents: DynamoDB's own encryption at rest suffices.
      encryption: TableEncryption.DEFAULT,
      removalPolicy: props.removalPolicy,
    });
  }

  /** The issuer: records a claim (a conditional PutItem), nothing else. */
  grantRecordClaims(target: HandlerFunction): void {
    this.grant(target, ['dynamodb:PutItem']);
  }

  /** The acceptor: reads and consumes claims; PutItem records an upload to an unclaimed key. */
  grantAcceptUploads(target: HandlerFunction): void {
    this.grant(target, ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:PutItem']);
  }

  /** The status route: reads one claim. */
  grantReadClaims(target: HandlerFunction): void {
    this.grant(target, ['dynamodb:GetItem']);
  }

  private grant(target: HandlerFunction, actions: string[]): void {
    target.function.addToRolePolicy(new PolicyStatement({ actions, resources: [this.table.tableArn] }));
    target.function.addEnvironment(ENV.tableName, this.table.tableName);
  }
}
