// The platform's API as the app uses it: JWT sign-in with one refresh on 401, the error envelope
// read into ApiError, network failures and 429 named, weak ETags remembered for 304s.
//
// Where the tokens live: the access token (minutes) only in memory; the refresh token (days) in
// sessionStorage, so a reload keeps the customer signed in while closing the tab ends the session
// and no other tab or later visitor finds it. The page's policy allows no inline or foreign
// scripts, which is what keeps it out of reach of injected code.

const API = "/api/v1";
const REFRESH_KEY = "platform.refresh";

export class ApiError extends Error {
  constructor(
    public readonly status: number,
    public readonly code: string,
    message: string,
    public readonly retryAfter: number | null = null,
  ) {
    super(message);
  }
}

type Envelope = { error_code?: string; message?: string };

let access: string | null = null;
let refreshing: Promise<boolean> | null = null;
let onSignedOut: () => void = () => {};

export function whenSignedOut(callback: () => void): void {
  onSignedOut = callback;
}

export function hasSession(): boolean {
  return sessionStorage.getItem(REFRESH_KEY) !== null;
}

function keep(tokens: { access: string; refresh: string }): void {
  access = tokens.access;
  sessionStorage.setItem(REFRESH_KEY, tokens.refresh);
}

function forget(): void {
  access = null;
  sessionStorage.removeItem(REFRESH_KEY);
}

async function send(path: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(`${API}/${path}`, init);
  } catch {
    throw new ApiError(0, "offline", "The shop cannot be reached. Check your connection and try again.");
  }
}

function seconds(header: string | null): number | null {
  const value = header === null ? NaN : Number(header);
  return Number.isFinite(value) && value >= 0 ? value : null;
}

async function failure(response: Response): Promise<ApiError> {
  let envelope: Envelope = {};
  try {
    envelope = (await response.json()) as Envelope;
  } catch {
    // not JSON: a proxy's page; the status says enough
  }
  const retryAfter = seconds(response.headers.get("Retry-After"));
  if (response.status === 429) {
    const wait = retryAfter === null ? "a moment" : `${retryAfter} second${retryAfter === 1 ? "" : "s"}`;
    return new ApiError(429, envelope.error_code ?? "throttled", `Too many requests: try again in ${wait}.`, retryAfter);
  }
  const message = envelope.message ?? `The shop answered ${response.status}. Please try again.`;
  return new ApiError(response.status, envelope.error_code ?? "error", message, retryAfter);
}

async function refresh(): Promise<boolean> {
  const token = sessionStorage.getItem(REFRESH_KEY);
  if (token === null) return false;
  const response = await send("auth/token/refresh", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ refresh: token }),
  });
  if (!response.ok) {
    forget();
    return false;
  }
  keep((await response.json()) as { access: string; refresh: string });
  return true;
}

function refreshOnce(): Promise<boolean> {
  refreshing ??= refresh().finally(() => {
    refreshing = null;
  });
  return refreshing;
}

/** A request as the signed-in customer: on 401 the tokens are refreshed once and it is sent again. */
export async function call(path: string, init: RequestInit = {}): Promise<Response> {
  const attempt = () => {
    const headers = new Headers(init.headers);
    if (access !== null) headers.set("Authorization", `Bearer ${access}`);
    if (init.body !== undefined) headers.set("Content-Type", "application/json");
    return send(path, { ...init, headers });
  };
  if (access === null && hasSession()) await refreshOnce();
  let response = await attempt();
  if (response.status === 401 && (await refreshOnce())) response = await attempt();
  if (response.status === 401) {
    forget();
    onSignedOut();
  }
  if (!response.ok && response.status !== 304) throw await failure(response);
  return response;
}

export async function json<T>(path: string, init: RequestInit = {}): Promise<T> {
  return (await (await call(path, init)).json()) as T;
}

export function body(value: unknown): RequestInit["body"] {
  return JSON.stringify(value);
}

const validators = new Map<string, { etag: string; value: unknown }>();

/** A GET that sends back the weak ETag it was given: a 304 answers with what it held. */
export async function conditional<T>(path: string): Promise<{ status: number; value: T; response: Response }> {
  const held = validators.get(path);
  const response = await call(path, { headers: held ? { "If-None-Match": held.etag } : {} });
  if (response.status === 304 && held) return { status: 304, value: held.value as T, response };
  const value = (await response.json()) as T;
  const etag = response.headers.get("ETag");
  if (etag) validators.set(path, { etag, value });
  else validators.delete(path);
  return { status: response.status, value, response };
}

export async function signIn(username: string, password: string): Promise<void> {
  const response = await send("auth/token", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ username, password }),
  });
  if (response.status === 401) throw new ApiError(401, "authentication_failed", "That username and password do not match.");
  if (!response.ok) throw await failure(response);
  keep((await response.json()) as { access: string; refresh: string });
}

export async function signOut(): Promise<void> {
  const token = sessionStorage.getItem(REFRESH_KEY);
  forget();
  validators.clear();
  if (token !== null) {
    await send("auth/token/revoke", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ refresh: token }),
    }).catch(() => undefined);
  }
}

export function describe(error: unknown): string {
  return error instanceof ApiError ? error.message : "Something went wrong. Please try again.";
}
