import { type DynamoDBDocumentClient, type PutCommandInput, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';

/**
 * A conditional write lost its condition. Matched by name, not `instanceof`: the error class
 * differs between the DynamoDB client and the document client's bundled copy, and only the
 * name is the same across both (and across the emulator's answers).
 */
export const isConditionalCheckFailed = (error: unknown): boolean =>
  error instanceof Error && error.name === 'ConditionalCheckFailedException';

/** Every item a query matches, following LastEvaluatedKey across pages. */
export async function queryAll(
  client: DynamoDBDocumentClient,
  input: QueryCommandInput,
  options?: () => { abortSignal?: AbortSignal },
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await client.send(new QueryCommand({ ...input, ...(start ? { ExclusiveStartKey: start } : {}) }), options?.());
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

/**
 * Optimistic concurrency for a single-item put (the emulator has no transactions): the item must
 * still be at `expectedVersion`, or absent when there was none.
 */
export function versionCondition(
  expectedVersion: number | undefined,
  partitionKey: string,
): Pick<PutCommandInput, 'ConditionExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'> {
  return expectedVersion === undefined
    ? { ConditionExpression: 'attribute_not_exists(#pk)', ExpressionAttributeNames: { '#pk': partitionKey } }
    : {
        ConditionExpression: '#version = :expected',
        ExpressionAttributeNames: { '#version': 'version' },
        ExpressionAttributeValues: { ':expected': expectedVersion },
      };
}
