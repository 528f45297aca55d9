// The volunteer app's core journey, typed by the contract: keep one's own profile, answer the
// offers made to her, see one's tasks, claim a request from the board, step back from one she
// cannot do, and complete an occurrence after the visit. Every id comes from the volunteer's own
// responses. Compiled, never run.
import { gone, header, live, login, problemText, type Client, type Schemas } from './common';

type HelpRequest = Schemas['HelpRequest'];

// The task card: where and when, and the resident's phone once the match allows it.
export function taskCard(task: HelpRequest): string {
  const when = task.when.needed_by !== null ? `before ${task.when.needed_by}` : `${task.when.starts_at} - ${task.when.ends_at}`;
  const where: string = task.place === null ? 'address follows once matched' : task.place.address;
  const phone: string = task.resident_phone ?? 'no phone number';
  return `${task.status_label} ${when} at ${where} (${task.resident_name}, ${phone})`;
}

async function keepProfile(client: Client, communityId: string, personId: string): Promise<Schemas['VolunteerProfile']> {
  const current = await client.GET('/v1/communities/{communityId}/volunteers/{personId}', {
    params: { path: { communityId, personId } },
  });
  const etag = current.data === undefined ? null : header(current.response, 'getVolunteerProfile', 200, 'ETag');
  const input: Schemas['VolunteerProfileInput'] = {
    skills: current.data?.skills ?? [],
    availability: [{ weekday: 2, start: '09:00', end: '12:00' }],
    unavailable: [],
    home: { lat: 52.1, lon: 5.1 },
    travel_km: 5,
    capacity_hours_per_week: 4,
    languages: ['nl'],
    prefers_short_tasks: false,
    paused: false,
  };
  const saved = await client.PUT('/v1/communities/{communityId}/volunteers/{personId}', {
    params: { path: { communityId, personId }, header: etag === null ? {} : { 'If-Match': etag } },
    body: input,
  });
  if (saved.data === undefined) throw new Error(problemText(saved.error));
  void header(saved.response, 'putVolunteerProfile', 200, 'ETag');
  return saved.data;
}

export async function volunteerJourney(baseUrl: string, email: string, password: string): Promise<string[]> {
  const { client, me, community } = await login(baseUrl, email, password);
  const profile = await keepProfile(client, community.id, me.id);
  const lines: string[] = [`${profile.display_name}: ${profile.certificate === null ? 'no VOG yet' : profile.certificate.valid_until}`];

  // The offers made to me: accept the first pending one, retry-safe with an Idempotency-Key.
  const offers = await client.GET('/v1/me/offers', { params: { header: { 'Accept-Language': 'nl' } } });
  const pending: Schemas['MyOffer'] | undefined = (offers.data?.items ?? []).find((o) => o.status === 'pending');
  if (pending !== undefined) {
    const answered = await client.POST('/v1/communities/{communityId}/offers/{offerId}/accept', {
      params: {
        path: { communityId: pending.community_id, offerId: pending.id },
        header: { 'Idempotency-Key': `accept-${pending.id}` },
      },
    });
    lines.push(answered.data !== undefined ? `${answered.data.status} ${pending.request_id}` : problemText(answered.error));
  }

  // My tasks (offline copy kept up to date with updated_since).
  const tasks = await client.GET('/v1/me/tasks', {
    params: { query: { updated_since: '2026-12-01T00:00:00Z' }, header: { 'Accept-Language': 'nl' } },
  });
  const myTasks: HelpRequest[] = (tasks.data?.items ?? []).filter(live);
  for (const id of gone(tasks.data?.items ?? [])) lines.push(`removed ${id}`);
  for (const task of myTasks) lines.push(taskCard(task));

  // The board: claim the first request there.
  const board = await client.GET('/v1/communities/{communityId}/board', {
    params: { path: { communityId: community.id }, query: { limit: 20 }, header: { 'Accept-Language': 'nl' } },
  });
  const open: HelpRequest | undefined = (board.data?.items ?? []).filter(live)[0];
  if (open !== undefined) {
    const claimed = await client.POST('/v1/communities/{communityId}/help-requests/{helpRequestId}/claim', {
      params: { path: { communityId: community.id, helpRequestId: open.id }, header: { 'Accept-Language': 'nl' } },
    });
    if (claimed.data !== undefined) lines.push(taskCard(claimed.data));
    else lines.push(problemText(claimed.error));
  }

  // I cannot come after all: step back from the first task still to come, with a reason.
  const later = myTasks.find((t) => t.occurrences.some((o) => o.status === 'matched' && o.volunteer_id === me.id));
  const laterOccurrence = later?.occurrences.find((o) => o.status === 'matched' && o.volunteer_id === me.id);
  if (later !== undefined && laterOccurrence !== undefined) {
    const input: Schemas['ReleaseOccurrenceInput'] = { reason: 'Ik ben ziek' };
    const released = await client.POST(
      '/v1/communities/{communityId}/help-requests/{helpRequestId}/occurrences/{occurrenceId}/release',
      { params: { path: { communityId: community.id, helpRequestId: later.id, occurrenceId: laterOccurrence.id } }, body: input },
    );
    lines.push(released.data !== undefined ? `${released.data.status_label ?? released.data.status}` : problemText(released.error));
  }

  // After the visit: complete my occurrence with the hours spent (the note is optional).
  for (const task of myTasks) {
    const mine = task.occurrences.find((o: Schemas['Occurrence']) => o.status === 'matched' && o.volunteer_id === me.id);
    if (mine === undefined) continue;
    const input: Schemas['CompleteOccurrenceInput'] = { hours: 1.5 };
    const completed = await client.POST(
      '/v1/communities/{communityId}/help-requests/{helpRequestId}/occurrences/{occurrenceId}/complete',
      { params: { path: { communityId: community.id, helpRequestId: task.id, occurrenceId: mine.id } }, body: input },
    );
    const occurrence: Schemas['Occurrence'] | undefined = completed.data;
    if (occurrence !== undefined) lines.push(`${occurrence.hours ?? 0} h on ${occurrence.completed_at ?? '?'}`);
  }
  return lines;
}
