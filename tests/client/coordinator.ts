// The coordinator (desk) app's core journey, typed by the contract: the new queue, triage,
// suggestions and an offer, the offers' answers, categories in two languages, invitations and
// the member list. Compiled, never run.
import { header, idempotencyKey, live, login, problemText, type Client, type Schemas } from './common';

// Members come back active or, with updated_since, removed (a tombstone): `deleted` tells them apart.
export function memberRow(member: Schemas['Member']): string {
  if (member.deleted) return `${member.person_id} (removed)`;
  return `${member.display_name} <${member.email ?? 'no e-mail'}> ${member.roles.join(', ')}`;
}

async function triageAndOffer(client: Client, communityId: string, request: Schemas['HelpRequest']): Promise<string[]> {
  const out: string[] = [];
  const path = { communityId, helpRequestId: request.id };
  const triaged = await client.POST('/v1/communities/{communityId}/help-requests/{helpRequestId}/actions/{action}', {
    params: { path: { ...path, action: 'triage' }, header: { 'Accept-Language': 'nl' } },
    body: { track: 'informal', note: 'Gebeld, het klopt' },
  });
  if (triaged.data === undefined) return [problemText(triaged.error)];

  const suggestions = await client.GET('/v1/communities/{communityId}/help-requests/{helpRequestId}/suggestions', {
    params: { path, query: { limit: 5 } },
  });
  const best: Schemas['Suggestion'][] = suggestions.data?.items ?? [];
  for (const s of best) out.push(`${s.display_name} ${s.score} (${s.distance_km} km): ${s.reason}`);
  const first = best[0];
  if (first === undefined) return out;

  const offered = await client.POST('/v1/communities/{communityId}/help-requests/{helpRequestId}/actions/{action}', {
    params: { path: { ...path, action: 'offer' } },
    body: { volunteer_ids: [first.volunteer_id] },
  });
  if (offered.data !== undefined) out.push(offered.data.status_label);

  const offers = await client.GET('/v1/communities/{communityId}/help-requests/{helpRequestId}/offers', { params: { path } });
  for (const offer of offers.data?.items ?? []) {
    const answered: string = offer.answered_at ?? 'not answered';
    out.push(`${offer.volunteer_id} ${offer.status} ${answered} ${offer.reason ?? ''}`);
  }
  return out;
}

export async function coordinatorJourney(baseUrl: string, email: string, password: string): Promise<string[]> {
  const { client, community } = await login(baseUrl, email, password);
  const lines: string[] = [];

  const queue = await client.GET('/v1/communities/{communityId}/queue', {
    params: { path: { communityId: community.id }, query: { view: 'new' }, header: { 'Accept-Language': 'nl' } },
  });
  for (const request of (queue.data?.items ?? []).filter(live)) lines.push(...(await triageAndOffer(client, community.id, request)));

  // A category: created with both labels, then changed with its ETag.
  const input: Schemas['CategoryInput'] = {
    code: 'gardening',
    labels: { nl: 'Tuinieren', en: 'Gardening' },
    in_home: false,
    may_recur: true,
    max_per_month: null,
    max_duration_minutes: 120,
    referral: null,
  };
  const created = await client.POST('/v1/communities/{communityId}/categories', {
    params: { path: { communityId: community.id }, header: { 'Idempotency-Key': idempotencyKey(), 'Accept-Language': 'en' } },
    body: input,
  });
  if (created.data !== undefined) {
    const etag = header(created.response, 'createCategory', 201, 'ETag');
    const update: Schemas['CategoryUpdate'] = { ...input, max_per_month: 4 };
    delete (update as Partial<Schemas['CategoryInput']>).code;
    const changed = await client.PATCH('/v1/communities/{communityId}/categories/{categoryId}', {
      params: { path: { communityId: community.id, categoryId: created.data.id }, header: { 'If-Match': etag ?? '*' } },
      body: update,
    });
    if (changed.data !== undefined) lines.push(changed.data.label);
  }

  // Invite a volunteer: the expiry is optional (the server picks a week).
  const invitation: Schemas['CreateInvitationRequest'] = { role: 'volunteer' };
  const invited = await client.POST('/v1/communities/{communityId}/invitations', {
    params: { path: { communityId: community.id }, header: { 'Idempotency-Key': idempotencyKey() } },
    body: invitation,
  });
  if (invited.data !== undefined) {
    const code: string = invited.data.code;
    void header(invited.response, 'createInvitation', 201, 'Location');
    lines.push(`${code} until ${invited.data.expires_at}`);
  }

  const members = await client.GET('/v1/communities/{communityId}/members', {
    params: { path: { communityId: community.id }, query: { updated_since: '2026-12-01T00:00:00Z' } },
  });
  for (const member of members.data?.items ?? []) lines.push(memberRow(member));
  return lines;
}
