/**
 * The public HTTP routes, SignalWire-facing only (the privacy function has no route: operators
 * invoke it with IAM). One table for the CDK stack's HTTP API, the local server and the URLs the
 * agent hands to SignalWire, so the three cannot drift apart.
 */
export const ROUTES = {
  swml: { path: '/swml', methods: ['GET', 'POST'], functionName: 'swml' },
  swaig: { path: '/swaig', methods: ['POST'], functionName: 'swaig' },
  recordingStatus: { path: '/recording-status', methods: ['POST'], functionName: 'recording-status' },
  paymentConnector: { path: '/payment', methods: ['POST'], functionName: 'payment-connector' },
} as const;

export type RouteName = keyof typeof ROUTES;
