// HTTP and WebSocket access to the service, with the bearer token the user gave (kept in sessionStorage:
// it lasts as long as the tab and never goes into a URL the page shows).
const TOKEN_KEY = 'tsn.token';

export interface ApiError {
  readonly status: number;
  readonly code: string;
  readonly message: string;
}

export class Api {
  token(): string | null {
    return sessionStorage.getItem(TOKEN_KEY);
  }

  setToken(token: string | null): void {
    if (token === null || token === '') sessionStorage.removeItem(TOKEN_KEY);
    else sessionStorage.setItem(TOKEN_KEY, token);
  }

  async getJson<T>(path: string): Promise<T> {
    const res = await fetch(path, { headers: this.headers() });
    if (!res.ok) throw await apiError(res);
    return (await res.json()) as T;
  }

  async getText(path: string): Promise<string> {
    const res = await fetch(path, { headers: this.headers() });
    if (!res.ok) throw await apiError(res);
    return res.text();
  }

  /** POST/PATCH/DELETE with a JSON body; resolves to the parsed answer (null for 204). */
  async send(method: 'POST' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<unknown> {
    const res = await fetch(path, {
      method,
      headers: { ...this.headers(), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!res.ok) throw await apiError(res);
    return res.status === 204 ? null : ((await res.json()) as unknown);
  }

  /** ws(s)://host/path?query, with the token as ?token= (browsers cannot set headers on a WebSocket). */
  webSocketUrl(path: string, query: Record<string, string> = {}): string {
    const url = new URL(path, window.location.href);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    const token = this.token();
    if (token !== null) url.searchParams.set('token', token);
    return url.href;
  }

  private headers(): Record<string, string> {
    const token = this.token();
    return token === null ? {} : { authorization: `Bearer ${token}` };
  }
}

async function apiError(res: Response): Promise<ApiError> {
  try {
    const body = (await res.json()) as { error?: { code?: string; message?: string } };
    return {
      status: res.status,
      code: body.error?.code ?? `HTTP_${res.status}`,
      message: body.error?.message ?? res.statusText,
    };
  } catch {
    return { status: res.status, code: `HTTP_${res.status}`, message: res.statusText };
  }
}

export function errorText(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'code' in error && 'message' in error) {
    const e = error as ApiError;
    return `${e.code}: ${e.message}`;
  }
  return error instanceof Error ? error.message : String(error);
}
