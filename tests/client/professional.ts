// The professionals' app's core journey, typed by the contract: my cases (kept offline with
// updated_since), one case with its ETag, the timeline with notes and signals, actions that I
// own and change with If-Match, consent, and inviting a colleague of another organisation.
// Compiled, never run.
import { header, idempotencyKey, live, login, problemText, type Client, type Schemas } from './common';

type Case = Schemas['Case'];

// A timeline line: a note or signal has text (null when consent hides it), an event has `event`.
export function timelineLine(entry: Schemas['TimelineEntry']): string {
  const author: string = entry.author_name;
  if (entry.kind === 'event') return `${entry.at} ${entry.event?.type ?? ''}: ${entry.event?.detail ?? ''}`;
  const text: string = entry.text ?? '(hidden: no consent)';
  const flag = entry.needs_response && entry.acknowledged_at === null ? ' [needs a response]' : '';
  return `${entry.at} ${author}: ${text}${flag}`;
}

export function actionLine(action: Schemas['Action']): string {
  const owner: string = action.owner_name ?? 'nobody';
  return `${action.title} (${owner}, due ${action.due_on ?? 'no date'}) ${action.status}${action.overdue ? ' LATE' : ''}`;
}

async function workOnCase(client: Client, communityId: string, summary: Case, me: string): Promise<string[]> {
  const lines: string[] = [];
  const path = { communityId, caseId: summary.id };
  const one = await client.GET('/v1/communities/{communityId}/cases/{caseId}', { params: { path } });
  if (one.data === undefined) return [problemText(one.error)];
  const theCase: Case = one.data;
  void header(one.response, 'getCase', 200, 'ETag');
  lines.push(`${theCase.title ?? '(restricted)'}: lead ${theCase.lead.display_name}, ${theCase.participants?.length ?? 0} participants`);

  const timeline = await client.GET('/v1/communities/{communityId}/cases/{caseId}/timeline', { params: { path, query: { limit: 20 } } });
  for (const entry of timeline.data?.items ?? []) {
    lines.push(timelineLine(entry));
    if (entry.kind === 'signal' && entry.needs_response && entry.acknowledged_at === null) {
      await client.POST('/v1/communities/{communityId}/cases/{caseId}/timeline/{entryId}/acknowledge', {
        params: { path: { ...path, entryId: entry.id } },
        body: {},
      });
    }
  }

  // A note: health is optional (not about health unless said).
  const note: Schemas['NoteInput'] = { text: 'Huisbezoek gehad, gaat goed', visibility: 'professionals' };
  const written = await client.POST('/v1/communities/{communityId}/cases/{caseId}/notes', { params: { path }, body: note });
  if (written.data !== undefined) {
    void header(written.response, 'createCaseNote', 201, 'Location');
    lines.push(timelineLine(written.data));
  }

  // An action for myself, then moved on with the ETag of its 201.
  const input: Schemas['ActionInput'] = { title: 'Wmo-aanvraag indienen', owner_id: me };
  const created = await client.POST('/v1/communities/{communityId}/cases/{caseId}/actions', { params: { path }, body: input });
  if (created.data !== undefined) {
    const etag = header(created.response, 'createCaseAction', 201, 'ETag');
    const change: Schemas['ActionUpdateInput'] = { status: 'in_progress', due_on: null };
    const changed = await client.PATCH('/v1/communities/{communityId}/cases/{caseId}/actions/{actionId}', {
      params: { path: { ...path, actionId: created.data.id }, header: { 'If-Match': etag ?? '*' } },
      body: change,
    });
    if (changed.data !== undefined) lines.push(actionLine(changed.data));
  }

  const consents = await client.GET('/v1/communities/{communityId}/cases/{caseId}/consents', { params: { path } });
  for (const c of consents.data?.items ?? []) {
    lines.push(`${c.grantee_person_id ?? c.grantee_organisation ?? '?'} ${c.data_kind} ${c.granted ? 'yes' : 'no'}`);
  }

  // A colleague from another organisation: the expiry is optional (the server picks a week).
  const invited = await client.POST('/v1/communities/{communityId}/cases/{caseId}/invitations', {
    params: { path, header: { 'Idempotency-Key': idempotencyKey() } },
    body: { organisation: 'Wijkteam Noord' },
  });
  if (invited.data !== undefined) lines.push(invited.data.code);
  return lines;
}

export async function professionalJourney(baseUrl: string, email: string, password: string): Promise<string[]> {
  const { client, me, community } = await login(baseUrl, email, password);
  const lines: string[] = [];
  const cases = await client.GET('/v1/communities/{communityId}/cases', {
    params: { path: { communityId: community.id }, query: { status: 'open', updated_since: '2026-12-01T00:00:00Z' } },
  });
  const mine: Case[] = (cases.data?.items ?? []).filter(live);
  for (const c of mine) lines.push(...(await workOnCase(client, community.id, c, me.id)));

  const actions = await client.GET('/v1/me/actions', { params: { query: { scope: 'owned', overdue: 'true' } } });
  for (const action of (actions.data?.items ?? []).filter(live)) lines.push(actionLine(action));
  return lines;
}
