/** One HTTP answer from the agent, body parsed as JSON when it is JSON. */
export interface AgentReply {
  status: number;
  ok: boolean;
  body: unknown;
  text: string;
}

export interface AgentEndpoint {
  /** Where the local server listens, e.g. http://127.0.0.1:3000. */
  api: string;
  username: string;
  password: string;
}

/**
 * Talks to the local stack the way SignalWire talks to the deployed one: over HTTP, with the
 * basic-auth credentials embedded in the URLs the agent handed out. URLs are re-pointed at
 * the local server, because SWML_PROXY_URL_BASE may name a public tunnel instead.
 */
export class AgentClient {
  constructor(readonly endpoint: AgentEndpoint) {}

  /** A route of the local server with our credentials embedded (the form SignalWire gets). */
  url(path: string): string {
    const url = new URL(path, this.endpoint.api);
    url.username = encodeURIComponent(this.endpoint.username);
    url.password = encodeURIComponent(this.endpoint.password);
    return url.toString();
  }

  get(url: string): Promise<AgentReply> {
    return this.send('GET', url);
  }

  post(url: string, body: unknown): Promise<AgentReply> {
    return this.send('POST', url, JSON.stringify(body));
  }

  async send(method: 'GET' | 'POST', url: string, body?: string, contentType = 'application/json'): Promise<AgentReply> {
    const given = new URL(url, this.endpoint.api);
    const target = new URL(`${given.pathname}${given.search}`, this.endpoint.api);
    // fetch refuses URLs with credentials: move them into the header, as SignalWire does.
    const username = given.username ? decodeURIComponent(given.username) : this.endpoint.username;
    const password = given.password ? decodeURIComponent(given.password) : this.endpoint.password;
    const headers: Record<string, string> = {
      authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`,
      'user-agent': 'recording-agent-cli',
    };
    if (body !== undefined) headers['content-type'] = contentType;
    const response = await fetch(target, { method, headers, ...(body !== undefined ? { body } : {}) });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? (JSON.parse(text) as unknown) : undefined;
    } catch {
      // not JSON: keep the text
    }
    return { status: response.status, ok: response.ok, body: parsed, text };
  }
}
