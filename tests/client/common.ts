// What every app shares: a typed client, the model types by name, and reading a response
// header the contract declares. Compiled by `make test-client`, never run.
import createClient from 'openapi-fetch';
import type { components, operations, paths } from 'noaber-api';

export type Schemas = components['schemas'];
export type Client = ReturnType<typeof createClient<paths>>;

export function connect(baseUrl: string, accessToken?: string): Client {
  return createClient<paths>({
    baseUrl,
    headers: accessToken === undefined ? {} : { Authorization: `Bearer ${accessToken}` },
  });
}

// The names of the headers the contract declares on one response of one operation. Every
// response type has an index signature for undeclared headers ([name: string]: unknown), so
// only the names declared with a type count; a header the contract does not declare is not
// one of them, and naming it does not compile.
type HeadersOf<Op extends keyof operations, Status extends keyof operations[Op]['responses']> =
  operations[Op]['responses'][Status] extends { headers: infer H } ? H : never;
type KnownKeys<T> = keyof { [K in keyof T as string extends K ? never : number extends K ? never : K]: T[K] };
export type DeclaredHeader<Op extends keyof operations, Status extends keyof operations[Op]['responses']> = {
  [K in KnownKeys<HeadersOf<Op, Status>>]: unknown extends HeadersOf<Op, Status>[K] ? never : K;
}[KnownKeys<HeadersOf<Op, Status>>];

export function header<Op extends keyof operations, Status extends keyof operations[Op]['responses']>(
  response: Response,
  _operation: Op,
  _status: Status,
  name: DeclaredHeader<Op, Status> & string,
): string | null {
  return response.headers.get(name);
}

// A fresh Idempotency-Key for one attempt of a state change (the same key on every retry).
export function idempotencyKey(): string {
  return crypto.randomUUID();
}

// Logs in and picks the community the app works in: the caller's own memberships only.
export async function login(
  baseUrl: string,
  email: string,
  password: string,
): Promise<{ client: Client; me: Schemas['Me']; community: Schemas['CommunityRef'] }> {
  const anonymous = connect(baseUrl);
  const { data: tokens, error } = await anonymous.POST('/v1/auth/login', {
    body: { email, password, device_name: 'Noaber app' },
  });
  if (tokens === undefined) throw new Error(error.title);
  const client = connect(baseUrl, tokens.access_token);
  const { data: me, response } = await client.GET('/v1/me');
  if (me === undefined) throw new Error('no profile');
  const etag: string | null = header(response, 'getMe', 200, 'ETag');
  void etag;
  const first = me.memberships[0];
  if (first === undefined) throw new Error('not a member of any community');
  return { client, me, community: first.community };
}

// A problem document as the apps show it: title, and the first field error when there is one.
export function problemText(problem: Schemas['Problem']): string {
  const field: Schemas['FieldError'] | undefined = problem.errors?.[0];
  return field === undefined ? problem.title : `${problem.title}: ${field.message}`;
}

// What left a list since `updated_since` comes back as a tombstone: an app removes it from the
// device, and keeps the live items (`items.filter(live)`). Usable on every list with tombstones.
export function live<T>(item: T | Schemas['Tombstone']): item is T {
  return (item as { deleted?: unknown }).deleted !== true;
}

// The ids of the tombstones of a page: what to remove from the device.
export function gone<T>(items: (T | Schemas['Tombstone'])[]): string[] {
  return items.filter((item): item is Schemas['Tombstone'] => !live(item)).map((t) => t.id);
}
