import type { Config } from '#shared/config.js';
import type { RecordCallOptions } from '#shared/swml/verbs.js';
import { withCredentials } from '#shared/http/public-url.js';
import { ROUTES } from '#shared/http/routes.js';

/** Every recording segment of a call uses this control id, so pause/resume target the same recording. */
export const RECORDING_CONTROL_ID = 'main';

/** The URLs we hand to SignalWire, credentials embedded (its only way to send basic auth back). */
export interface AgentUrls {
  swml: string;
  swaig: string;
  recordingStatus: string;
  payment: string;
}

export function agentUrls(baseUrl: string, username: string, password: string, config: Config): AgentUrls {
  const at = (path: string) => withCredentials(`${baseUrl}${path}`, username, password);
  return {
    swml: at(ROUTES.swml.path),
    swaig: at(ROUTES.swaig.path),
    recordingStatus: at(ROUTES.recordingStatus.path),
    // A processor's own connector keeps card data away from our functions entirely.
    payment: config.PAYMENT_CONNECTOR_URL ?? at(ROUTES.paymentConnector.path),
  };
}

/**
 * The one set of recording options: the SWML document's initial `record_call` and every
 * start/resume action use it, so each segment has the same format, channels and webhook.
 */
export function recordingOptions(config: Config, urls: AgentUrls): RecordCallOptions {
  return {
    controlId: RECORDING_CONTROL_ID,
    stereo: config.RECORDING_STEREO,
    format: config.RECORDING_FORMAT,
    direction: 'both',
    beep: config.RECORDING_BEEP,
    statusUrl: urls.recordingStatus,
  };
}
