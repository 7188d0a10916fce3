/**
 * Issue 13 item 4: two app processes on one PostgreSQL database. A user signed in on one is signed in
 * on the other (sessions live in the database), and a write in one is on the other's cached pages at
 * once: the change feed (src/db/change-feed.ts) drops the other process's caches at commit. A process
 * without the feed — the control — keeps showing its cached dashboard, which is what the feed is for.
 * PostgreSQL only: SQLite is one process per database file.
 */
import type { ChildProcess } from 'node:child_process';
import type { Server } from 'node:http';
import { expect } from 'chai';
import request from 'supertest';
import { locateDb } from '../../src/db/knex.js';
import { startAppProcess } from '../helpers/app-process.js';
import { createFirm } from '../helpers/factories.js';
import { Client, createTestContext, html, type TestContext } from '../helpers/test-app.js';

const startChild = (t: TestContext, changeFeed: boolean) => startAppProcess(locateDb(t.db), { changeFeed });

if (process.env.TEST_DIALECT === 'postgres') {
  describe('two app processes on one PostgreSQL database', function () {
    this.timeout(60_000);
    let t: TestContext;
    const children: ChildProcess[] = [];
    before(async () => {
      t = await createTestContext();
    });
    after(async () => {
      for (const c of children) c.disconnect();
      await t.destroy();
    });

    it('a move made in one process is on the other’s cached dashboard at once; without the change feed it would not be', async () => {
      const by = t.basics.users.admin.id;
      const firm = await createFirm(t.db, { stage: 'candidate', actorId: by });
      const [fed, control] = await Promise.all([startChild(t, true), startChild(t, false)]);
      children.push(fed.child, control.child);
      const clientOf = async (origin: string) => {
        const c = new Client(origin as unknown as Server, origin);
        expect((await c.login('admin')).status).to.equal(303);
        return c;
      };
      const [a, b] = await Promise.all([clientOf(fed.origin), clientOf(control.origin)]);
      const incubating = async (c: Client) => html((await c.get('/dashboard').expect(200)).text).querySelector('[data-stage-count=incubating]')!.text.trim();
      expect([await incubating(a), await incubating(b)]).to.deep.equal(['0', '0']); // both now cache the dashboard

      // The move is made in this (the test's) process.
      await t.admin.post(`/firms/${firm.uscc}/stage`).type('form').send({ to: 'incubating', version: 1, source: 'firm_page' }).expect(303);
      let seen = await incubating(a);
      for (let i = 0; i < 20 && seen !== '1'; i++) {
        await new Promise((r) => setTimeout(r, 50)); // the notification's delivery, a few ms
        seen = await incubating(a);
      }
      expect(seen, 'the process with the change feed shows the move').to.equal('1');
      expect(await incubating(b), 'the control still serves its cached dashboard (60 s TTL)').to.equal('0');
      // The board's per-stage sums are cached the same way (30 s TTL): fed, the new count; without the feed, the old one.
      const boardCount = async (c: Client) => html((await c.get('/board').expect(200)).text).getElementById('count-incubating')!.text.trim();
      expect(await boardCount(a)).to.equal('1');
      expect(await boardCount(b)).to.equal('0');
    });

    it('a session opened in one process is a session in the other (sessions live in the database)', async () => {
      const { child, origin: first } = await startChild(t, true);
      children.push(child);
      const signIn = new Client(first as unknown as Server, first);
      const res = await signIn.login('leader');
      const cookie = (res.headers['set-cookie'] as unknown as string[]).map((c) => c.split(';')[0]).join('; ');
      // The same cookie at the test's own process: signed in as the leader there too.
      const page = await request(t.server).get('/dashboard').set('Cookie', cookie).expect(200);
      expect(page.text).to.include(t.basics.users.leader.displayName);
    });
  });
}
