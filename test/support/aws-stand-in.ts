import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { handler as privacyHandler } from '#functions/privacy/handler.js';
import { lambdaContext } from './signalwire.js';

/** One Lambda Invoke the stand-in answered: the function name and the parsed payload. */
interface StandInInvocation {
  functionName: string;
  payload: unknown;
}

export interface AwsStandIn {
  url: string;
  invocations: StandInInvocation[];
  /** Points AWS_ENDPOINT_URL_CLOUDFORMATION / _LAMBDA at the stand-in; returns the undo. */
  useEndpoints(): () => void;
  close(): Promise<void>;
}

const xmlEscape = (value: string): string =>
  value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function describeStacksXml(stackName: string, outputs: Record<string, string>): string {
  const members = Object.entries(outputs)
    .map(
      ([key, value]) => `<member><OutputKey>${xmlEscape(key)}</OutputKey><OutputValue>${xmlEscape(value)}</OutputValue></member>`,
    )
    .join('');
  return (
    '<DescribeStacksResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><DescribeStacksResult><Stacks><member>' +
    `<StackName>${xmlEscape(stackName)}</StackName><StackStatus>CREATE_COMPLETE</StackStatus><CreationTime>2025-01-01T00:00:00Z</CreationTime>` +
    `<Outputs>${members}</Outputs>` +
    '</member></Stacks></DescribeStacksResult><ResponseMetadata><RequestId>r1</RequestId></ResponseMetadata></DescribeStacksResponse>'
  );
}

/**
 * Stand-ins for the two AWS APIs the operator tools call on a deployed stage, where no emulator
 * for them exists here: CloudFormation DescribeStacks (query protocol, XML) answering with
 * `stacks[name]` as the stack's outputs, and Lambda Invoke, answered by the real privacy handler
 * in-process (so "the deployed function" works on whatever storage process.env names). Any
 * other stack is "does not exist". On 127.0.0.1, a free port.
 */
export async function startAwsStandIn(stacks: Record<string, Record<string, string>>): Promise<AwsStandIn> {
  const invocations: StandInInvocation[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const invoke = /^\/2015-03-31\/functions\/([^/]+)\/invocations/.exec(req.url ?? '');
      if (invoke) {
        const payload = JSON.parse(body) as unknown;
        invocations.push({ functionName: decodeURIComponent(invoke[1] as string), payload });
        void privacyHandler(payload, lambdaContext('privacy')).then((result) => {
          res.writeHead(200, { 'Content-Type': 'application/json' });
          res.end(JSON.stringify(result));
        });
        return;
      }
      const form = new URLSearchParams(body);
      const stackName = form.get('StackName') ?? '';
      const outputs = form.get('Action') === 'DescribeStacks' ? stacks[stackName] : undefined;
      if (outputs) {
        res.writeHead(200, { 'Content-Type': 'text/xml' });
        res.end(describeStacksXml(stackName, outputs));
        return;
      }
      res.writeHead(400, { 'Content-Type': 'text/xml' });
      res.end(
        '<ErrorResponse><Error><Type>Sender</Type><Code>ValidationError</Code><Message>Stack does not exist</Message></Error></ErrorResponse>',
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    invocations,
    useEndpoints() {
      const saved: Record<string, string | undefined> = {};
      for (const key of ['AWS_ENDPOINT_URL_CLOUDFORMATION', 'AWS_ENDPOINT_URL_LAMBDA']) {
        saved[key] = process.env[key];
        process.env[key] = url;
      }
      return () => {
        for (const [key, value] of Object.entries(saved)) {
          if (value === undefined) delete process.env[key];
          else process.env[key] = value;
        }
      };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
