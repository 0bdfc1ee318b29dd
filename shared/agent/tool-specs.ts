import * as z from '#shared/validation/zod.js';
import { defineToolSpec } from '#shared/swaig/tool.js';

/**
 * What each of the recording agent's tools is, as the LLM sees it: name, description, argument
 * schema, and whether it is secure. The SWML function needs only this (so its bundle carries no
 * tool logic); shared/agent/tools.ts gives each spec its implementation for the SWAIG function.
 */
const noArgs = z.object({});

export const getRecordingConsent = defineToolSpec({
  name: 'get_recording_consent',
  description:
    "Record the caller's answer to the recording question. Pass their exact words; recording starts only if they clearly agree.",
  args: z.object({ response: z.string().check(z.minLength(1), z.maxLength(500), z.describe("The caller's answer, verbatim")) }),
  secure: false,
});

export const startRecording = defineToolSpec({
  name: 'start_recording',
  description: 'Start recording the call. Only works after the caller has agreed to recording.',
  args: noArgs,
  secure: false,
});

export const stopRecording = defineToolSpec({
  name: 'stop_recording',
  description:
    'The caller asked to stop recording: stop it for the rest of the call. Recording cannot be restarted on this call afterwards.',
  args: noArgs,
  secure: false,
});

export const pauseRecording = defineToolSpec({
  name: 'pause_recording',
  description: 'Pause the recording temporarily (for example before sensitive information).',
  args: noArgs,
  secure: false,
});

export const resumeRecording = defineToolSpec({
  name: 'resume_recording',
  description: 'Resume a paused recording.',
  args: noArgs,
  secure: false,
});

export const secureMode = defineToolSpec({
  name: 'secure_mode',
  description: 'Enter secure mode before the caller shares sensitive information: pauses the recording.',
  args: noArgs,
  secure: false,
});

export const normalMode = defineToolSpec({
  name: 'normal_mode',
  description:
    'Leave secure mode after sensitive information has been handled: resumes the recording if the caller agreed to it.',
  args: noArgs,
  secure: false,
});

export const collectSensitiveInfo = defineToolSpec({
  name: 'collect_sensitive_info',
  description:
    'Submit a sensitive detail (date of birth, account number…) the caller gave during secure mode. The value is verified and never stored; recording resumes afterwards.',
  args: z.object({
    info_type: z.enum(['date_of_birth', 'account_number', 'other']).check(z.describe('What kind of information this is')),
    value: z.string().check(z.minLength(1), z.maxLength(100), z.describe('The value the caller gave')),
  }),
  secure: true,
});

export const collectSsn = defineToolSpec({
  name: 'collect_ssn',
  description: "Call before asking for the caller's Social Security number: pauses the recording.",
  args: noArgs,
  secure: false,
});

export const ssnReceived = defineToolSpec({
  name: 'ssn_received',
  description: 'Submit the Social Security number the caller just said. Verifies it and resumes recording.',
  args: z.object({
    ssn: z.string().check(z.minLength(1), z.maxLength(20), z.describe('The Social Security number, digits only or with dashes')),
  }),
  secure: true,
});

export const processPayment = defineToolSpec({
  name: 'process_payment',
  description: 'Take a card payment: the caller enters card details on the keypad; recording is paused meanwhile.',
  args: z.object({
    // No free-text description: whatever the AI writes there (possibly what the caller said) would
    // go verbatim into the pay verb and on to the processor.
    amount: z.string().check(z.regex(/^\d{1,7}(\.\d{2})?$/, 'an amount like 10.00'), z.describe('Amount to charge, e.g. 10.00')),
  }),
  secure: false,
});

export const recordingInfo = defineToolSpec({
  name: 'recording_info',
  description: 'How long recordings are kept and how to get a copy or have one deleted.',
  args: noArgs,
  secure: false,
});

/** Every tool, in the order the LLM sees them. */
export const agentToolSpecs = [
  getRecordingConsent,
  startRecording,
  stopRecording,
  pauseRecording,
  resumeRecording,
  secureMode,
  normalMode,
  collectSensitiveInfo,
  collectSsn,
  ssnReceived,
  processPayment,
  recordingInfo,
] as const;
