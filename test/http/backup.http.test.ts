/**
 * Backup and restore (issue 8 item 14), on both databases: a backup taken while writes run holds
 * every committed write; a restore refuses a live app, brings the data back, and no cookie from
 * before it works — not even one logged out after the backup, whose session row the backup holds.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import request from 'supertest';
import { createApp } from '../../src/app.js';
import { testConfig } from '../../src/config.js';
import { backup, registerInstance, restore, RestoreRefused, type Target } from '../../src/db/backup.js';
import { createDb, locateDb } from '../../src/db/knex.js';
import { resolveSessionSecret } from '../../src/web/session.js';
import { createFirm } from '../helpers/factories.js';
import { createTestContext, type TestContext } from '../helpers/test-app.js';

describe('Backup and restore', function () {
  this.timeout(60_000);
  let t: TestContext;
  let target: Target;
  let dir: string;
  beforeEach(async () => {
    t = await createTestContext({ file: true });
    const location = locateDb(t.db)!;
    target = { url: location.url, ...(location.options.searchPath ? { schema: location.options.searchPath[0]! } : {}) };
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'miaopu-backup-'));
  });
  afterEach(async () => {
    await t.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('A backup taken while firms are being written holds every write committed before it began, in a dated file', async () => {
    const admin = t.basics.users.admin.id;
    for (let i = 0; i < 20; i++) await createFirm(t.db, { actorId: admin });
    const writing = (async () => {
      for (let i = 0; i < 20; i++) await createFirm(t.db, { actorId: admin });
    })();
    const file = await backup(target, dir, new Date('2026-12-02T06:05:09Z'));
    await writing;
    expect(path.basename(file)).to.match(/^miaopu-20261202-140509\.(sqlite|dump)$/);
    // Restored, it has at least the 20 firms committed before the backup started.
    await t.db.destroy();
    const result = await restore(target, file);
    expect(result.integrity).to.equal('ok');
    expect(result.firms).to.be.at.least(20);
  });

  it('A restore refuses to run while the app runs on the database, then restores and ends every session: a cookie logged out after the backup stays dead', async () => {
    const c = t.anonymous();
    await c.login('caseworker');
    const cookie = (await c.get('/board').expect(200)).request.cookies;
    const firm = await createFirm(t.db, { actorId: t.basics.users.admin.id });
    const file = await backup(target, dir);
    await c.postForm('/logout', {}).expect(303);
    await t.db('firms').where({ id: firm.id }).update({ name: '备份之后改的名字' });

    let unregister = () => undefined as void;
    if (t.dialect === 'sqlite') {
      unregister = registerInstance(target.url);
      const refused = await restore(target, file).catch((e: unknown) => e);
      expect(refused).to.be.instanceOf(RestoreRefused);
      expect((refused as Error).message).to.contain('the app is running');
    }
    unregister();
    const secretBefore = await resolveSessionSecret(t.db, null);
    await t.db.destroy();

    const result = await restore(target, file);
    expect(result.sessionsEnded).to.be.at.least(1);
    const db = createDb(target.url, target.schema ? { searchPath: [target.schema, 'public'] } : {});
    try {
      expect((await db('firms').where({ id: firm.id }).first()).name).to.equal(firm.name);
      const secret = await resolveSessionSecret(db, null);
      expect(secret).to.not.equal(secretBefore);
      const app = createApp(db, testConfig({ sessionSecret: secret }));
      const res = await request(app).get('/board').set('Cookie', cookie);
      expect(res.status).to.equal(302);
      expect(res.headers.location).to.match(/^\/login/);
    } finally {
      await db.destroy();
    }
  });
});
