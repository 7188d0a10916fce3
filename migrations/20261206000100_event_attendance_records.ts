import type { Knex } from 'knex';

/**
 * Event attendance counts as contact from the moment it is recorded (issue 9: "Attendance counts
 * toward each firm's timeline as an interaction"): a check-in of 已出席 puts the firm in the event's
 * one attendance record — an interaction, channel 'event' — instead of the after-event action doing
 * it. Two things follow for the data already there:
 *
 * - attendance checked in before this (events not yet wrapped up) gets its record now, so last
 *   contact, "no contact in N days" and the figures count it like a new check-in;
 * - an event has at most one such record, which the unique index now says (until here only the
 *   after-event action made one, once per event; check-ins run one at a time per event).
 *
 * Written out here rather than through the app's queries, so that later changes to those do not
 * change what this migration did.
 */
export async function up(knex: Knex): Promise<void> {
  const rows = (await knex('event_invitations as i')
    .join('coaching_events as e', 'e.id', 'i.event_id')
    .where('i.status', 'attended')
    .whereNull('i.interaction_id')
    .orderBy(['i.event_id', 'i.id'])
    .select('i.id', 'i.firm_id', 'i.event_id', 'i.checked_in_at', 'i.updated_at', 'e.title', 'e.starts_on', 'e.ends_on', 'e.place', 'e.topics', 'e.owner_id')) as Record<string, unknown>[];
  const byEvent = new Map<number, Record<string, unknown>[]>();
  for (const r of rows) byEvent.set(Number(r.event_id), [...(byEvent.get(Number(r.event_id)) ?? []), r]);
  for (const [eventId, invitations] of byEvent) {
    const e = invitations[0]!;
    const existing = (await knex('interactions').where({ event_id: eventId }).orderBy('id').first('id')) as { id: number } | undefined;
    let id = existing ? Number(existing.id) : null;
    if (id === null) {
      const startsOn = String(e.starts_on).slice(0, 10);
      const endsOn = String(e.ends_on).slice(0, 10);
      const recorded = invitations.map((i) => String(i.checked_in_at ?? i.updated_at)).sort()[0]!;
      const [row] = await knex('interactions')
        .insert({
          occurred_on: startsOn,
          channel: 'event',
          event_id: eventId,
          counsellor_id: e.owner_id,
          reached: true,
          topics: e.topics ?? null,
          // As domain/events.ts attendanceNotes words it.
          notes: `参加${String(e.title)}（${startsOn}${endsOn !== startsOn ? ` 至 ${endsOn}` : ''}${e.place ? `，${String(e.place)}` : ''}）`,
          no_follow_up: false,
          created_by: e.owner_id,
          created_at: recorded,
        })
        .returning('id');
      id = typeof row === 'object' ? Number((row as { id: number }).id) : Number(row);
    }
    for (let n = 0; n < invitations.length; n += 200) {
      const part = invitations.slice(n, n + 200);
      await knex('interaction_firms').insert(part.map((i) => ({ interaction_id: id, firm_id: i.firm_id }))).onConflict(['interaction_id', 'firm_id']).ignore();
      await knex('event_invitations').whereIn('id', part.map((i) => Number(i.id))).update({ interaction_id: id });
    }
  }
  await knex.raw('DROP INDEX interactions_event');
  await knex.raw('CREATE UNIQUE INDEX interactions_event ON interactions (event_id) WHERE event_id IS NOT NULL');
}

export async function down(knex: Knex): Promise<void> {
  // The records made for earlier attendance stay: they are the firms' contacts now.
  await knex.raw('DROP INDEX interactions_event');
  await knex.raw('CREATE INDEX interactions_event ON interactions (event_id)');
}
