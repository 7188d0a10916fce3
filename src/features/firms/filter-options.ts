/** The choices the filter bars and firm forms offer, on nearly every page. */
import type { Db } from '../../db/types.js';
import type { Actor } from '../../domain/actor.js';
import { LIFECYCLES, TECH_FIELDS } from '../../domain/fields.js';
import { LIST_KINDS } from '../../domain/list-kinds.js';
import { coversPark } from '../../domain/permissions.js';
import { EXIT_REASONS, STAGES } from '../../domain/stages.js';
import { ReadModelCache } from '../../lib/cache.js';
import { listParks, type Park } from '../parks/parks.queries.js';
import { listCounsellors, type UserSummary } from '../users/users.queries.js';

// Parks and counsellors change rarely (user changes bump the data generation); reading them
// again for every page was two of the six statements a cached dashboard view sent.
const cache = new ReadModelCache<{ parks: Park[]; counsellors: UserSummary[] }>(30_000, 1);

export async function loadFilterOptions(db: Db, actor: Pick<Actor, 'parkIds'>) {
  const { parks, counsellors } = await cache.get(db, 'options', async () => ({ parks: await listParks(db), counsellors: await listCounsellors(db) }));
  return {
    parks: parks.filter((p) => coversPark(actor, p.id)),
    fields: TECH_FIELDS,
    lifecycles: LIFECYCLES,
    stages: STAGES,
    exitReasons: EXIT_REASONS,
    listKinds: LIST_KINDS,
    counsellors,
  };
}
