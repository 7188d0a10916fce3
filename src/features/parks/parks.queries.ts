import type { Db } from '../../db/types.js';

export interface Park {
  id: number;
  code: string;
  name: string;
  kind: string;
  town: string | null;
}


export async function listParks(db: Db): Promise<Park[]> {
  return (await db('parks')
    .where('is_active', true)
    .orderBy([{ column: 'sort_order' }, { column: 'id' }])
    .select('id', 'code', 'name', 'kind', 'town')) as Park[];
}

export async function parkExists(db: Db, id: number): Promise<boolean> {
  return !!(await db('parks').where({ id, is_active: true }).first('id'));
}
