import type { AgentReply } from '../agent-client.js';
import {
  CALL_ID_FLAG,
  callIdFlag,
  FROM_FLAG,
  stringFlag,
  UsageError,
  type CliCommand,
  type CliContext,
  noPositionals,
} from '../command.js';
import { callTool, fetchSwml, findTool } from '../calls.js';
import {
  currentRecordingStatusBody,
  paymentConnectorBody,
  simulatedCall,
  TEST_CARD,
  type SimulatedCall,
} from '../signalwire-payloads.js';
import {
  describeActions,
  globalDataUpdates,
  isObject,
  mainVerbs,
  offeredTools,
  promptSection,
  swmlActionVerbs,
  type Json,
} from '../swml-reader.js';
import { printable, waitForTranscripts } from '../transcripts.js';

/** How long the transcript step waits for the local transcription pipeline. */
const TRANSCRIPT_WAIT_MS = 15_000;

/** Values the scripted caller gives, by parameter name; only the ones a tool declares are sent. */
const CALLER_SAYS: Json = {
  response: 'yes',
  ssn: '123-45-6789',
  ssn_last_four: '6789',
  amount: '10.00',
};

interface ToolStep {
  tool: string;
  args: Json;
  /** A SWML verb the response must carry for the step to count as done. */
  expectVerb?: string;
  /** A SWML verb the response must not carry (e.g. a second record_call while one runs). */
  forbidVerb?: string;
}

/** The scripted call after the SWML fetch: consent, pause around the SSN, resume, payment. */
const SCRIPT: ToolStep[] = [
  { tool: 'get_recording_consent', args: { response: CALLER_SAYS.response }, expectVerb: 'record_call' },
  { tool: 'pause_recording', args: {}, expectVerb: 'stop_record_call' },
  { tool: 'collect_ssn', args: {} },
  // ssn_received resumes the recording; a resume_recording after it must not start a second one.
  { tool: 'ssn_received', args: { ssn: CALLER_SAYS.ssn, ssn_last_four: CALLER_SAYS.ssn_last_four }, expectVerb: 'record_call' },
  { tool: 'resume_recording', args: {}, forbidVerb: 'record_call' },
  { tool: 'process_payment', args: { amount: CALLER_SAYS.amount }, expectVerb: 'pay' },
];

/** Keeps the script's arguments the tool declares, and fills required ones the caller would give. */
function argumentsFor(parameters: unknown, wanted: Json): Json {
  if (!isObject(parameters) || !isObject(parameters.properties)) return {};
  const declared = Object.keys(parameters.properties);
  const required = Array.isArray(parameters.required) ? parameters.required.map(String) : [];
  const args: Json = {};
  for (const name of declared) {
    if (name in wanted) args[name] = wanted[name];
    else if (required.includes(name) && name in CALLER_SAYS) args[name] = CALLER_SAYS[name];
  }
  const missing = required.filter((name) => !(name in args));
  if (missing.length > 0) throw new UsageError(`the script has no value for required parameter(s) ${missing.join(', ')}`);
  return args;
}

function responseText(reply: AgentReply): string {
  return isObject(reply.body) && typeof reply.body.response === 'string' ? reply.body.response : reply.text.slice(0, 200);
}

function verb(verbs: Json[], name: string): Json | undefined {
  const found = verbs.find((v) => isObject(v[name]));
  return found ? (found[name] as Json) : undefined;
}

class Walk {
  step = 0;
  failures: string[] = [];
  constructor(private readonly context: CliContext) {}

  say(title: string, ...details: string[]): void {
    this.step += 1;
    this.context.out([`[${this.step}] ${title}`, ...details.map((d) => `    ${d}`)].join('\n'));
  }

  fail(problem: string): void {
    this.failures.push(`step ${this.step}: ${problem}`);
    this.context.out(`    FAILED: ${problem}`);
  }
}

export const simulateCommand: CliCommand = {
  name: 'simulate',
  usage: 'simulate [--call-id ID] [--from +1...]',
  summary: 'walk a whole scripted call: SWML, consent, pause/SSN/resume, payment, recording webhook, transcript',
  flags: [CALL_ID_FLAG, FROM_FLAG],
  async run(args, context) {
    noPositionals(args);
    const callId = callIdFlag(args);
    const from = stringFlag(args, 'from');
    const call: SimulatedCall = simulatedCall({ ...(callId ? { callId } : {}), ...(from ? { from } : {}) });
    const session = await context.session();
    const { client } = session;
    const walk = new Walk(context);

    const document = await fetchSwml(client, call);
    const verbs = mainVerbs(document).map((v) => Object.keys(v)[0] ?? '?');
    const offered = offeredTools(document);
    const secureTools = new Set(offered.functions.filter((f) => f.webHookUrl).map((f) => f.function));
    const recordsFromStart = verbs.includes('record_call');
    walk.say(
      `SignalWire fetches the SWML for call ${call.callId} (${session.mode} stack at ${session.endpoints.api})`,
      `verbs: ${verbs.join(' -> ')}`,
      `recording from the start: ${recordsFromStart ? 'yes (disclose-and-record)' : 'no (consent first)'}`,
      `tools: ${offered.functions.map((f) => f.function + (secureTools.has(f.function) ? '*' : '')).join(', ')}  (* secure, tokenized URL)`,
    );
    if (!verbs.includes('ai')) walk.fail('the SWML has no ai verb');

    const disclosure = promptSection(document, 'Recording Disclosure');
    walk.say('The AI gives the recording disclosure (from its prompt)', ...(disclosure ?? 'none found').split('\n').slice(0, 3));
    if (!disclosure) walk.fail('no "Recording Disclosure" section in the prompt');

    let globalData: Json = {};
    let statusUrl: string | undefined;
    let pay: Json | undefined;
    for (const step of SCRIPT) {
      const { tool } = findTool(document, step.tool);
      const toolArgs = argumentsFor(tool.parameters, step.args);
      const secure = secureTools.has(step.tool);
      // Secure arguments are sensitive by definition: never echoed, not even by the simulator.
      const shown = secure ? Object.fromEntries(Object.keys(toolArgs).map((k) => [k, '***'])) : toolArgs;
      const reply = await callTool(client, document, call, step.tool, toolArgs, globalData);
      const actions = describeActions(reply.body);
      walk.say(
        `${step.tool}${secure ? ' [secure]' : ''} ${JSON.stringify(shown)} -> HTTP ${reply.status}`,
        `response: ${responseText(reply)}`,
        ...(actions.length > 0 ? [`actions: ${actions.join(', ')}`] : []),
      );
      if (!reply.ok) {
        walk.fail(`the agent answered HTTP ${reply.status}`);
        continue;
      }
      globalData = { ...globalData, ...globalDataUpdates(reply.body) };
      const actionVerbs = swmlActionVerbs(reply.body);
      if (step.expectVerb && !verb(actionVerbs, step.expectVerb)) walk.fail(`expected a ${step.expectVerb} action`);
      if (step.forbidVerb && verb(actionVerbs, step.forbidVerb)) walk.fail(`unexpected ${step.forbidVerb} action`);
      const recordCall = verb(actionVerbs, 'record_call');
      if (recordCall && typeof recordCall.status_url === 'string') statusUrl = recordCall.status_url;
      pay = verb(actionVerbs, 'pay') ?? pay;
    }

    const connectorUrl = typeof pay?.payment_connector_url === 'string' ? pay.payment_connector_url : client.url('/payment');
    const parameters = Array.isArray(pay?.parameters)
      ? Object.fromEntries(pay.parameters.filter(isObject).map((p) => [String(p.name), String(p.value)]))
      : {};
    const amount = typeof pay?.charge_amount === 'string' ? pay.charge_amount : String(CALLER_SAYS.amount);
    const payment = await client.post(
      connectorUrl,
      paymentConnectorBody({ amount, currency: typeof pay?.currency === 'string' ? pay.currency : 'usd', parameters }),
    );
    const chargeId = isObject(payment.body) ? payment.body.charge_id : undefined;
    walk.say(
      `SignalWire's pay verb posts the card to the payment connector (test card ending ${TEST_CARD.number.slice(-4)}, ${amount})`,
      `-> HTTP ${payment.status} ${typeof chargeId === 'string' ? `charge_id ${chargeId}` : payment.text.slice(0, 200)}`,
    );
    if (!payment.ok || typeof chargeId !== 'string') walk.fail('the test card was not approved');

    const webhook = currentRecordingStatusBody(call, { state: 'finished' });
    const recording = await client.post(statusUrl ?? client.url('/recording-status'), webhook);
    walk.say(
      'SignalWire reports the finished recording to record_call.status_url',
      `-> HTTP ${recording.status} ${recording.text.slice(0, 200)}`,
    );
    if (!recording.ok) walk.fail('the recording webhook was not accepted');

    // The stack's transcription pipeline runs beside the webhook (infra/local/transcription.ts).
    const transcripts = await waitForTranscripts(session.endpoints, call.callId, TRANSCRIPT_WAIT_MS);
    walk.say(
      'Transcribe (the local stand-in) transcribes the recording with PII redaction; the transcript is stored by speaker',
      ...(transcripts.length > 0 ? printable(transcripts).split('\n') : ['no transcript']),
    );
    if (transcripts.length === 0) walk.fail('no transcript was stored');

    if (walk.failures.length > 0) {
      context.err(`simulation failed:\n  ${walk.failures.join('\n  ')}`);
      return 1;
    }
    context.out(`\nSimulated call ${call.callId}: all ${walk.step} steps ok.`);
    if (session.mode === 'running') {
      context.out(
        `Look at it: AWS_REGION=${session.endpoints.region} AWS_ACCESS_KEY_ID=${session.endpoints.accessKeyId} ` +
          `AWS_SECRET_ACCESS_KEY=${session.endpoints.secretAccessKey} aws s3 ls s3://${session.endpoints.bucket} --recursive --endpoint-url ${session.endpoints.s3}`,
      );
    }
    return 0;
  },
};
