import {
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { ClaimNotRecordedError } from './errors.js';

/**
 * Claims in DynamoDB, one item per issued URL, keyed by the upload id. Every change is a conditional write,
 * so concurrent handlers (S3 delivers events at least once and in any order) agree on one outcome.
 * It uses the plain DynamoDB client with explicit marshalling: the document client's per-call middleware
 * costs about a third of each call, and issuing a URL is one call.
 */
export type UploadMethod = 'POST' | 'PUT';

export interface Winner {
  versionId: string;
  etag: string;
  size: number;
}

export interface Claim {
  id: string;
  key: string;
  method: UploadMethod;
  status: 'issued' | 'accepted';
  issuedAt: string;
  expiresAt: string;
  maxBytes: number;
  contentType?: string;
  /** Epoch seconds; DynamoDB's TTL removes the item some time after. */
  ttl: number;
  /** The earliest upload to the key, chosen when the claim was consumed. */
  winner?: Winner;
  consumedAt?: string;
  acceptedKey?: string;
  acceptedAt?: string;
  duplicateAttempts: number;
  /** Version ids of uploads already flagged, so a redelivered event is not counted twice. */
  flaggedVersions?: Set<string>;
}

export type NewClaim = Omit<Claim, 'status' | 'duplicateAttempts'>;

const MARSHALL = { removeUndefinedValues: true };

export class ClaimStore {
  constructor(
    private readonly db: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  /** Records a claim; never overwrites one. Any failure means no URL may be issued. */
  async record(claim: NewClaim): Promise<void> {
    try {
      await this.db.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: marshall({ ...claim, status: 'issued', duplicateAttempts: 0 }, MARSHALL),
          ConditionExpression: 'attribute_not_exists(id)',
        }),
      );
    } catch (error) {
      throw new ClaimNotRecordedError(`could not record the claim for ${claim.key}`, { cause: error });
    }
  }

  async get(id: string): Promise<Claim | undefined> {
    const result = await this.db.send(
      new GetItemCommand({ TableName: this.tableName, Key: marshall({ id }), ConsistentRead: true }),
    );
    return result.Item ? (unmarshall(result.Item) as Claim) : undefined;
  }

  /**
   * Consumes the claim: records which upload won. Only the first consumer succeeds; any other gets the
   * claim as the first one left it, so all handlers copy the same version.
   */
  async consume(id: string, key: string, winner: Winner, at: Date): Promise<Claim> {
    try {
      const result = await this.db.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: marshall({ id }),
          UpdateExpression: 'SET winner = :winner, consumedAt = :at',
          ConditionExpression: 'attribute_exists(id) AND #key = :key AND attribute_not_exists(winner)',
          ExpressionAttributeNames: { '#key': 'key' },
          ExpressionAttributeValues: marshall(
            { ':winner': winner, ':key': key, ':at': at.toISOString() },
            MARSHALL,
          ),
          ReturnValues: 'ALL_NEW',
        }),
      );
      return unmarshall(result.Attributes ?? {}) as Claim;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const current = await this.get(id);
      if (!current?.winner)
        throw new Error(`claim ${id} could not be consumed and has no winner`, { cause: error });
      return current;
    }
  }

  /**
   * Marks the claim accepted once the accepted copy exists. Only one caller makes the change (`changed`);
   * a concurrent or later one gets the claim as it is, so the acceptance is reported once.
   */
  async markAccepted(
    id: string,
    winner: Winner,
    acceptedKey: string,
    at: Date,
  ): Promise<{ claim: Claim; changed: boolean }> {
    try {
      const result = await this.db.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: marshall({ id }),
          UpdateExpression: 'SET #status = :accepted, acceptedKey = :acceptedKey, acceptedAt = :at',
          ConditionExpression: 'winner.versionId = :versionId AND #status <> :accepted',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: marshall({
            ':accepted': 'accepted',
            ':acceptedKey': acceptedKey,
            ':at': at.toISOString(),
            ':versionId': winner.versionId,
          }),
          ReturnValues: 'ALL_NEW',
        }),
      );
      return { claim: unmarshall(result.Attributes ?? {}) as Claim, changed: true };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const current = await this.get(id);
      if (current?.status !== 'accepted' || current.winner?.versionId !== winner.versionId) throw error;
      return { claim: current, changed: false };
    }
  }

  /**
   * Counts a later upload exactly once: the first time its version is seen. Returns the new count, or
   * undefined when that version was flagged before (a redelivered event).
   */
  async flagDuplicate(id: string, versionId: string): Promise<number | undefined> {
    try {
      const result = await this.db.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: marshall({ id }),
          UpdateExpression: 'ADD duplicateAttempts :one, flaggedVersions :version',
          ConditionExpression: 'attribute_exists(id) AND NOT contains(flaggedVersions, :versionId)',
          ExpressionAttributeValues: marshall({
            ':one': 1,
            ':version': new Set([versionId]),
            ':versionId': versionId,
          }),
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      return Number(result.Attributes?.duplicateAttempts?.N ?? 0);
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  }

  /**
   * Records an upload to a key that has no claim, once per version. Returns false when it was recorded
   * before. The item's id cannot be an upload id, so it is never served as a status.
   */
  async flagUnclaimed(key: string, versionId: string, at: Date, ttl: number): Promise<boolean> {
    try {
      await this.db.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: marshall({
            id: `unclaimed#${key}#${versionId}`,
            key,
            versionId,
            flaggedAt: at.toISOString(),
            ttl,
          }),
          ConditionExpression: 'attribute_not_exists(id)',
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}
