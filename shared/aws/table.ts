/**
 * The single DynamoDB table's shape, shared by the CDK stack and the local emulator setup so
 * both create the same thing.
 */
export const TABLE = {
  partitionKey: 'pk',
  sortKey: 'sk',
  ttlAttribute: 'expiresAt',
  /** GSI for "everything about this caller": keyed hash of the number, never the number. */
  callerIndex: { name: 'byCaller', partitionKey: 'callerHash', sortKey: 'pk' },
} as const;

export const callKey = (callId: string): string => `CALL#${callId}`;
