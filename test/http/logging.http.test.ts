/**
 * The server log (issue 8 item 12): one JSON line per request whose id is the error page's
 * reference number; no passwords, cookies or tokens; long URLs and fields cut; an error line names
 * the statement, never its SQL text or the values a user typed.
 */
import { expect } from 'chai';
import { log } from '../../src/lib/log.js';
import { expectLogLine, logLines } from '../helpers/log-capture.js';
import { createTestContext, html, type TestContext } from '../helpers/test-app.js';

describe('Server log', () => {
  let t: TestContext;
  before(async () => {
    t = await createTestContext();
  });
  after(() => t.destroy());

  it('When a page fails, then its one request line carries the reference number the page shows, the error code and the statement, without SQL text', async () => {
    await t.db.schema.renameTable('stage_counts', 'stage_counts_gone');
    try {
      const res = await t.admin.get('/board').expect(500);
      const reference = html(res.text).querySelector('code')!.text;
      const lines = logLines().filter((l) => (l.req as { url?: string } | undefined)?.url === '/board');
      expect(lines).to.have.length(1);
      const line = lines[0]!;
      expect(line.reference).to.equal(reference);
      expect(line.level).to.equal('error');
      const err = line.err as { code: string; statement: string; message: string; stack: string };
      expect(err.code).to.equal(t.dialect === 'sqlite' ? 'SQLITE_ERROR' : '42P01');
      expect(err.statement).to.equal('select stage_counts');
      expect(JSON.stringify(line)).to.not.match(/select\s+[`"]/i);
    } finally {
      await t.db.schema.renameTable('stage_counts_gone', 'stage_counts');
    }
  });

  it('When a query fails with values a user typed, then the error line has neither the SQL nor the values', async () => {
    const typed = '余姚市秘密关键词-3141';
    const err = await t.db('no_such_table').where({ name: typed }).first().catch((e: unknown) => e);
    log.error('lookup failed', { err });
    const line = expectLogLine({ msg: 'lookup failed', level: 'error' });
    expect(JSON.stringify(line)).to.not.contain(typed).and.not.match(/select\s+[`"*]/i);
    expect((line.err as { statement: string }).statement).to.equal('select no_such_table');
  });

  it('When someone signs in, then no line holds the password, the session cookie or the CSRF token', async () => {
    const c = t.anonymous();
    await c.login('caseworker', 'wrong-password-3141-xyz');
    await c.login('caseworker');
    log.info('fields named like secrets are redacted', { password: 'hunter2-3141', user: { token: 'tok-3141' } });
    const text = logLines().map((l) => JSON.stringify(l)).join('\n');
    expect(text).to.not.contain('wrong-password-3141-xyz').and.not.contain('hunter2-3141').and.not.contain('tok-3141');
    expect(text).to.not.contain('miaopu.sid=').and.not.contain(c.token);
    expect(expectLogLine({ msg: 'fields named like secrets are redacted' }).password).to.equal('[redacted]');
    expect(logLines().filter((l) => (l.req as { url?: string } | undefined)?.url === '/login').length).to.be.at.least(4);
  });

  it('When a URL or a field is very long, then the line keeps only its beginning', async () => {
    await t.admin.get(`/firms?q=${'yuyao'.repeat(1000)}`);
    const line = logLines().find((l) => (l.req as { url?: string } | undefined)?.url?.startsWith('/firms?q='))!;
    expect((line.req as { url: string }).url.length).to.be.at.most(301);
    log.warn('long field', { detail: 'x'.repeat(10_000) });
    expect((expectLogLine({ msg: 'long field' }).detail as string).length).to.be.below(1100);
  });
});
