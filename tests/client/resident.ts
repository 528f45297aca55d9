// The resident app's core journey, typed by the contract: log in, pick a kind of help (labels in
// the resident's language), ask for help once (a retry is safe), follow the request in "my
// requests", confirm who is coming, and give feedback afterwards. Compiled, never run.
import { connect, header, idempotencyKey, live, login, problemText, type Client, type Schemas } from './common';

type HelpRequest = Schemas['HelpRequest'];

// `when` is either a window or a deadline; the app shows one sentence for either.
export function whenText(when: Schemas['HelpRequestWhen']): string {
  if (when.needed_by !== null) return `before ${when.needed_by}`;
  return `${when.starts_at} to ${when.ends_at}`;
}

// One row of "my requests": every field the screen shows is typed, and the nullable ones say so.
export function requestRow(request: HelpRequest): string {
  const who: string = request.matched_volunteer_name ?? 'nobody yet';
  const phone: string | null = request.resident_phone;
  const repeats = request.recurrence === null ? 'once' : `${request.recurrence.frequency} until ${request.recurrence.until}`;
  const next = request.occurrences.find((o: Schemas['Occurrence']) => o.status === 'matched' || o.status === 'open');
  const nextText = next === undefined ? '' : ` next: ${next.starts_at ?? next.needed_by ?? '?'}`;
  return `${request.status_label}: ${whenText(request.when)} (${repeats}), helper ${who}${phone === null ? '' : ''}${nextText}`;
}

async function chooseCategory(client: Client, communityId: string): Promise<Schemas['Category']> {
  const { data, response } = await client.GET('/v1/communities/{communityId}/categories', {
    params: { path: { communityId }, header: { 'Accept-Language': 'nl' } },
  });
  if (data === undefined) throw new Error('no categories');
  const language = header(response, 'listCategories', 200, 'Content-Language');
  void language;
  const shopping = data.items.find((c: Schemas['Category']) => c.code === 'shopping') ?? data.items[0];
  if (shopping === undefined) throw new Error('no categories');
  return shopping;
}

export async function residentJourney(baseUrl: string, email: string, password: string): Promise<string[]> {
  const { client, me, community } = await login(baseUrl, email, password);
  const category = await chooseCategory(client, community.id);

  // The body the form builds: optional fields left out, `recurrence` null for a one-off.
  const input: Schemas['HelpRequestInput'] = {
    category_id: category.id,
    description: 'Boodschappen doen bij de supermarkt',
    when: { needed_by: '2026-12-10T12:00:00Z' },
    recurrence: null,
    place: { address: 'Dorpsstraat 1, Anna Zorgt', lat: 52.1, lon: 5.1 },
    in_home: false,
    urgency: 'normal',
  };
  const key = idempotencyKey();
  const created = await client.POST('/v1/communities/{communityId}/help-requests', {
    params: { path: { communityId: community.id }, header: { 'Idempotency-Key': key, 'Accept-Language': 'nl' } },
    body: input,
  });
  if (created.data === undefined) throw new Error(problemText(created.error));
  const request: HelpRequest = created.data;
  const etag = header(created.response, 'createHelpRequest', 201, 'ETag');
  const location = header(created.response, 'createHelpRequest', 201, 'Location');
  const replayed = header(created.response, 'createHelpRequest', 201, 'Idempotent-Replayed');
  const language = header(created.response, 'createHelpRequest', 201, 'Content-Language');
  void [etag, location, replayed, language];

  // Read it again only when it changed.
  const again = await client.GET('/v1/communities/{communityId}/help-requests/{helpRequestId}', {
    params: {
      path: { communityId: community.id, helpRequestId: request.id },
      header: { 'If-None-Match': etag ?? '*', 'Accept-Language': 'nl' },
    },
  });
  if (again.response.status !== 304 && again.data !== undefined) {
    void header(again.response, 'getHelpRequest', 200, 'ETag');
  }

  // "My requests", page by page.
  const rows: string[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await client.GET('/v1/me/help-requests', {
      params: { query: cursor === undefined ? { limit: 50 } : { limit: 50, cursor }, header: { 'Accept-Language': 'nl' } },
    });
    if (page.data === undefined) break;
    for (const item of page.data.items.filter(live)) rows.push(requestRow(item));
    if (page.data.next_cursor === null) break;
    cursor = page.data.next_cursor;
  }

  // Confirm the helper once one is matched; then feedback on a done occurrence.
  const mine = await client.GET('/v1/me/help-requests', { params: { query: {} } });
  for (const item of (mine.data?.items ?? []).filter(live)) {
    if (item.id !== request.id) continue;
    if (item.status === 'matched' && !item.resident_confirmed) {
      const confirmed = await client.POST('/v1/communities/{communityId}/help-requests/{helpRequestId}/actions/{action}', {
        params: { path: { communityId: community.id, helpRequestId: item.id, action: 'confirm' } },
        body: {},
      });
      if (confirmed.data !== undefined) rows.push(requestRow(confirmed.data));
    }
    const done = item.occurrences.find((o) => o.status === 'done' && o.feedback === null);
    if (done !== undefined) {
      const feedback: Schemas['OccurrenceFeedbackInput'] = { positive: true };
      const given = await client.POST(
        '/v1/communities/{communityId}/help-requests/{helpRequestId}/occurrences/{occurrenceId}/feedback',
        { params: { path: { communityId: community.id, helpRequestId: item.id, occurrenceId: done.id } }, body: feedback },
      );
      const occurrence: Schemas['Occurrence'] | undefined = given.data;
      if (occurrence?.feedback != null) rows.push(`feedback ${occurrence.feedback.positive ? 'positive' : 'negative'}`);
    }
  }
  rows.push(me.display_name);
  return rows;
}

// Not logged in yet: registering with an invitation code gives a token pair right away.
export async function register(baseUrl: string, code: string): Promise<Schemas['Registration']> {
  const { data, error, response } = await connect(baseUrl).POST('/v1/auth/register', {
    body: { invitation_code: code, email: 'bep@example.org', password: 'a long passphrase', display_name: 'Bep' },
  });
  if (data === undefined) throw new Error(problemText(error));
  void header(response, 'register', 201, 'Location');
  return data;
}
