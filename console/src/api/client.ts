import type { components } from './schema';

/** Types of the API, generated from the controller's OpenAPI document at build time. */
export type Schemas = components['schemas'];
export type Host = Schemas['Host'];
export type HostWithInventory = Schemas['HostWithInventory'];
export type HostPage = Schemas['HostPage'];
export type HostEvent = Schemas['HostEvent'];
export type Problem = Schemas['Problem'];
export type Task = Schemas['Task'];
export type TaskWithSpec = Schemas['TaskWithSpec'];
export type Run = Schemas['Run'];
export type RunCounts = Schemas['RunCounts'];
export type Member = Schemas['Member'];
export type Whoami = Schemas['Whoami'];
export type FleetSummary = Schemas['FleetSummary'];
export type Token = Schemas['Token'];
export type AuditEvent = Schemas['AuditEvent'];
export type Containers = Schemas['Containers'];
export type LifecycleOutcome = Schemas['LifecycleOutcome'];
export type RunPage = Schemas['RunPage'];
export type EventPage = Schemas['EventPage'];
export type AuditPage = Schemas['AuditPage'];
/** The data of a task's 'progress' event: the document describes it as these fields of a Task. */
export type TaskProgress = Pick<Task, 'id' | 'state' | 'total' | 'counts'>;

/** An answer of the API that was a problem body (RFC 9457): shown as it says. */
export class ProblemError extends Error {
  readonly problem: Problem;
  constructor(problem: Problem) {
    super(problem.detail || problem.title);
    this.problem = problem;
  }
  get status(): number {
    return this.problem.status;
  }
}

/** The controller could not be reached (network error): shown as a lost connection and retried. */
export class ConnectionLost extends Error {
  constructor(cause: unknown) {
    super('the controller cannot be reached' + (cause instanceof Error ? ': ' + cause.message : ''));
  }
}

const TOKEN_KEY = 'muster.token';

/** The token lives in session storage only: never in a URL, a cookie or a log. */
export const session = {
  token(): string | null {
    return sessionStorage.getItem(TOKEN_KEY);
  },
  signIn(token: string) {
    sessionStorage.setItem(TOKEN_KEY, token);
  },
  signOut() {
    sessionStorage.removeItem(TOKEN_KEY);
  },
};

type Listener = () => void;
const listeners = new Set<Listener>();
let connected = true;

/** Whether the last call reached the controller; the layout shows a banner while it did not. */
export const connection = {
  connected: () => connected,
  subscribe(listener: Listener) {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
  set(value: boolean) {
    if (value !== connected) {
      connected = value;
      listeners.forEach((l) => l());
    }
  },
};

/** A problem body from whatever the server answered, even when it was not one. */
export async function problemOf(response: Response, path: string): Promise<Problem> {
  const text = await response.text();
  try {
    const body = JSON.parse(text);
    if (body && typeof body === 'object' && typeof body.status === 'number') {
      return body as Problem;
    }
  } catch {
    // not JSON: described below
  }
  return {
    type: 'urn:muster:problem:unexpected-answer',
    title: response.statusText || 'Error',
    status: response.status,
    detail: text.slice(0, 300) || `the controller answered ${response.status}`,
    instance: path,
  };
}

export async function request(path: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  const token = session.token();
  if (token) {
    headers.set('Authorization', 'Bearer ' + token);
  }
  if (init.body && !headers.has('Content-Type')) {
    headers.set('Content-Type', 'application/json');
  }
  let response: Response;
  try {
    response = await fetch(path, { ...init, headers });
  } catch (e) {
    if (e instanceof DOMException && e.name === 'AbortError') {
      throw e;
    }
    connection.set(false);
    throw new ConnectionLost(e);
  }
  connection.set(true);
  if (!response.ok) {
    throw new ProblemError(await problemOf(response, path));
  }
  return response;
}

export async function get<T>(path: string, signal?: AbortSignal): Promise<T> {
  const response = await request(path, { signal });
  return (await response.json()) as T;
}

/**
 * Sends {@code body} as JSON. Its type {@code B} is never inferred from the argument (NoInfer): a
 * caller names the generated request type, so an object literal with a field the document does
 * not have fails tsc; a caller that names none can send no body.
 */
export async function send<T = void, B extends object = never>(method: string, path: string, body?: NoInfer<B>): Promise<T> {
  const response = await request(path, { method, body: body === undefined ? undefined : JSON.stringify(body) });
  if (response.status === 204) {
    return undefined as T;
  }
  return (await response.json()) as T;
}

/** A query string from the non-empty values. */
export function query(params: Record<string, string | number | null | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== null && value !== undefined && value !== '') {
      search.set(key, String(value));
    }
  }
  const text = search.toString();
  return text ? '?' + text : '';
}
