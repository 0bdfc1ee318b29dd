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

/**
 * The last URLs built, with what they were built from. Building them parses four URLs, half of a
 * warm SWAIG dispatch's own time, and a warm instance asks for the same ones on every request:
 * one base URL, one set of credentials. Keyed by every input, so it needs no reset.
 */
let built:
  | { baseUrl: string; username: string; password: string; paymentConnector: string | undefined; urls: AgentUrls }
  | undefined;

export function agentUrls(baseUrl: string, username: string, password: string, config: Config): AgentUrls {
  const paymentConnector = config.PAYMENT_CONNECTOR_URL;
  if (
    built?.baseUrl === baseUrl &&
    built.username === username &&
    built.password === password &&
    built.paymentConnector === paymentConnector
  ) {
    return built.urls;
  }
  const at = (path: string) => withCredentials(`${baseUrl}${path}`, username, password);
  // Frozen: every request shares it, so a caller that changed it would change the next one's.
  const urls = Object.freeze({
    swml: at(ROUTES.swml.path),
    swaig: at(ROUTES.swaig.path),
    recordingStatus: at(ROUTES.recordingStatus.path),
    // A processor's own connector keeps card data away from our functions entirely.
    payment: paymentConnector ?? at(ROUTES.paymentConnector.path),
  });
  built = { baseUrl, username, password, paymentConnector, urls };
  return urls;
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
