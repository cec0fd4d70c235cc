/** One server-sent event. */
export interface ServerEvent {
  event: string;
  data: string;
  /** The last "id:" seen so far (the SSE's last event id), or '' before any. */
  id: string;
}

/**
 * Splits a server-sent-events stream into events (the WHATWG format: "event:" and "data:" lines,
 * a blank line ends an event, ":" lines are comments). Fed chunk by chunk, since EventSource
 * cannot send an Authorization header and the token must not go into the URL.
 */
export class SseParser {
  private buffer = '';
  private event = 'message';
  private data: string[] = [];
  private lastId = '';

  push(chunk: string): ServerEvent[] {
    this.buffer += chunk;
    const out: ServerEvent[] = [];
    let newline: number;
    while ((newline = this.buffer.search(/\r\n|\n|\r/)) >= 0) {
      const line = this.buffer.slice(0, newline);
      const width = this.buffer.startsWith('\r\n', newline) ? 2 : 1;
      this.buffer = this.buffer.slice(newline + width);
      if (line === '') {
        if (this.data.length > 0) {
          out.push({ event: this.event, data: this.data.join('\n'), id: this.lastId });
        }
        this.event = 'message';
        this.data = [];
        continue;
      }
      if (line.startsWith(':')) {
        continue;
      }
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      let value = colon < 0 ? '' : line.slice(colon + 1);
      if (value.startsWith(' ')) {
        value = value.slice(1);
      }
      if (field === 'event') {
        this.event = value;
      } else if (field === 'data') {
        this.data.push(value);
      } else if (field === 'id' && !value.includes('\0')) {
        this.lastId = value;
      }
    }
    return out;
  }
}

/**
 * Follows a server-sent-events route with the session's token until it ends, {@code signal}
 * aborts it, or the connection breaks (the promise then rejects; the caller retries).
 */
export async function follow(path: string, onEvent: (event: ServerEvent) => void, signal: AbortSignal,
                             request: (path: string, init: RequestInit) => Promise<Response>,
                             lastEventId?: string, onOpen?: () => void): Promise<void> {
  const headers: Record<string, string> = { Accept: 'text/event-stream' };
  if (lastEventId) {
    headers['Last-Event-ID'] = lastEventId;
  }
  const response = await request(path, { signal, headers });
  onOpen?.();
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  const parser = new SseParser();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) {
      return;
    }
    parser.push(value).forEach(onEvent);
  }
}
