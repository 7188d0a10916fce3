/** The choices the filter bars and firm forms offer, read once per page. */
import type { Db } from '../../db/types.js';
import type { Actor } from '../../domain/actor.js';
import { LIFECYCLES, TECH_FIELDS } from '../../domain/fields.js';
import { LIST_KINDS } from '../../domain/list-kinds.js';
import { EXIT_REASONS, STAGES } from '../../domain/stages.js';
import { listParks } from '../parks/parks.queries.js';
import { listCounsellors } from '../users/users.queries.js';

export async function loadFilterOptions(db: Db, actor: Pick<Actor, 'parkIds'>) {
  const parks = (await listParks(db)).filter((p) => actor.parkIds === null || actor.parkIds.includes(p.id));
  return {
    parks,
    fields: TECH_FIELDS,
    lifecycles: LIFECYCLES,
    stages: STAGES,
    exitReasons: EXIT_REASONS,
    listKinds: LIST_KINDS,
    counsellors: await listCounsellors(db),
  };
}

export type FilterOptions = Awaited<ReturnType<typeof loadFilterOptions>>;
