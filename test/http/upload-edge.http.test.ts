/**
 * The upload's HTTP edge (issue 8, items 1 and 9): no multipart shape ends the process or answers
 * 500; a body over the limit is refused as soon as the limit is crossed; a token-less upload is
 * refused before a byte of it reaches the disk; aborted uploads leave no file and no descriptor.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { READ_LIMITS } from '../../src/features/lists/parsing/index.js';
import { validUscc } from '../helpers/factories.js';
import { writeCsv } from '../helpers/list-files.js';
import {
  BOUNDARY,
  MULTIPART_END,
  connect,
  cookieOf,
  multipartField,
  multipartFileHead,
  openDescriptors,
  readAnswer,
  requestHead,
  statusOf,
} from '../helpers/raw-http.js';
import { createTestContext, snapshot, type TestContext } from '../helpers/test-app.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function drainedOrClosed(socket: import('node:net').Socket): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      socket.off('drain', done).off('close', done);
      resolve();
    };
    socket.on('drain', done).on('close', done);
  });
}

describe('uploads at the HTTP edge', function () {
  this.timeout(60_000);
  let t: TestContext;
  let incoming: string;
  let n = 70_000;
  const csv = () => writeCsv([['统一社会信用代码', '企业名称'], [validUscc(n++), '余姚市上传边界测试有限公司']]);

  before(async () => {
    t = await createTestContext();
    incoming = path.join(t.uploadDir, 'incoming');
  });
  after(() => t.destroy());

  const leftovers = () => fs.readdirSync(incoming);
  const serverConnections = () => new Promise<number>((resolve, reject) => t.server.getConnections((err, n) => (err ? reject(err) : resolve(n))));

  /** The app still answers (the process did not end) and nothing was stored. */
  async function stillServing(before: Awaited<ReturnType<typeof snapshot>>) {
    await t.admin.get('/healthz').expect(200);
    expect(await snapshot(t.db)).to.deep.equal(before);
    for (let i = 0; i < 50 && leftovers().length; i++) await sleep(20);
    expect(leftovers(), 'files left in the upload folder').to.deep.equal([]);
  }

  it('two files in one upload: 422 with a message on the form, the app keeps running', async () => {
    const before = await snapshot(t.db);
    const res = await t.admin.post('/lists/imports').field('kind', 'patent').field('year', '2025').attach('file', csv()).attach('file', csv());
    expect(res.status).to.equal(422);
    expect(res.text).to.include('一次只能上传一个文件');
    await stillServing(before);
  });

  it('a file in another field, and files in two fields: 422, nothing stored', async () => {
    const before = await snapshot(t.db);
    const wrong = await t.admin.post('/lists/imports').field('kind', 'patent').field('year', '2025').attach('attachment', csv());
    expect(wrong.status).to.equal(422);
    expect(wrong.text).to.include('文件没有放在上传框里');
    const both = await t.admin.post('/lists/imports').field('kind', 'patent').field('year', '2025').attach('file', csv()).attach('other', csv());
    expect(both.status).to.be.oneOf([422]);
    await stillServing(before);
  });

  it('malformed multipart bodies (no boundary, garbage, unterminated, too many fields, NUL in a field): 4xx, never 500', async () => {
    const before = await snapshot(t.db);
    const cases: [string, string][] = [
      ['multipart/form-data', 'garbage'],
      [`multipart/form-data; boundary=${BOUNDARY}`, 'garbage without any boundary line'],
      [`multipart/form-data; boundary=${BOUNDARY}`, multipartField('kind', 'patent')], // no closing boundary
      [`multipart/form-data; boundary=${BOUNDARY}`, Array.from({ length: 20 }, (_, i) => multipartField(`f${i}`, 'x')).join('') + `--${BOUNDARY}--\r\n`],
      [`multipart/form-data; boundary=${BOUNDARY}`, multipartField('kind', 'pat\u0000ent') + `--${BOUNDARY}--\r\n`],
      [`multipart/form-data; boundary=${BOUNDARY}`, `--${BOUNDARY}\r\nContent-Disposition: form-data\r\n\r\nx\r\n--${BOUNDARY}--\r\n`], // a part without a name
    ];
    for (const [type, body] of cases) {
      const res = await t.admin.post('/lists/imports').set('Content-Type', type).send(body);
      expect(res.status, `${type}: ${body.slice(0, 40)}`).to.be.within(400, 499);
    }
    await stillServing(before);
  });

  it('a body cut short, and a Content-Length that lies: the app keeps running, nothing is left behind', async () => {
    const before = await snapshot(t.db);
    const cookie = cookieOf(t.admin);
    const headers = { Cookie: cookie, Origin: t.origin, 'X-CSRF-Token': t.admin.token, 'Content-Type': `multipart/form-data; boundary=${BOUNDARY}` };
    const start = multipartField('kind', 'patent') + multipartField('year', '2025') + multipartFileHead('file', 'a.csv') + 'x'.repeat(2000);
    // Announces more than it sends, then goes away.
    const cut = await connect(t.server);
    cut.write(requestHead(t.server, '/lists/imports', { ...headers, 'Content-Length': start.length + 10_000 }) + start);
    await sleep(100);
    cut.destroy();
    // Announces less than it sends: the rest arrives as a second "request" the server cannot parse.
    const short = await connect(t.server);
    const answer = readAnswer(short);
    short.end(requestHead(t.server, '/lists/imports', { ...headers, 'Content-Length': 100 }) + start + MULTIPART_END);
    const text = await answer;
    expect(statusOf(text)).to.be.within(400, 499);
    expect(text).to.not.match(/HTTP\/1\.1 5\d\d/);
    await stillServing(before);
  });

  it('a Content-Length over the limit is answered 413 before any of the body is sent', async () => {
    const socket = await connect(t.server);
    const answer = readAnswer(socket);
    socket.write(requestHead(t.server, '/lists/imports', {
      Cookie: cookieOf(t.admin),
      Origin: t.origin,
      'X-CSRF-Token': t.admin.token,
      'Content-Type': `multipart/form-data; boundary=${BOUNDARY}`,
      'Content-Length': READ_LIMITS.maxBytes * 2,
    }));
    const text = await answer;
    socket.destroy();
    expect(statusOf(text)).to.equal(413);
    expect(text).to.include('文件超过 50 MB');
  });

  it('a chunked body is refused with 413 as soon as it crosses the limit, not after it has all been sent', async () => {
    const before = await snapshot(t.db);
    const socket = await connect(t.server);
    const answer = readAnswer(socket, 30_000);
    let answered = false;
    void answer.then(() => (answered = true));
    socket.on('data', () => (answered = true));
    socket.write(requestHead(t.server, '/lists/imports', {
      Cookie: cookieOf(t.admin),
      Origin: t.origin,
      'X-CSRF-Token': t.admin.token,
      'Content-Type': `multipart/form-data; boundary=${BOUNDARY}`,
      'Transfer-Encoding': 'chunked',
    }));
    const chunk = (s: string | Buffer) => {
      const b = Buffer.isBuffer(s) ? s : Buffer.from(s);
      return Buffer.concat([Buffer.from(b.length.toString(16) + '\r\n'), b, Buffer.from('\r\n')]);
    };
    socket.write(chunk(multipartField('kind', 'patent') + multipartField('year', '2025') + multipartFileHead('file', 'big.csv')));
    const piece = chunk(Buffer.alloc(1024 * 1024, 'a'));
    let sent = 0;
    const cap = READ_LIMITS.maxBytes * 3;
    while (!answered && !socket.destroyed && sent < cap) {
      if (!socket.write(piece)) await drainedOrClosed(socket);
      sent += 1024 * 1024;
    }
    const text = await answer;
    socket.destroy();
    expect(statusOf(text)).to.equal(413);
    expect(sent, 'bytes sent before the answer').to.be.below(READ_LIMITS.maxBytes + 16 * 1024 * 1024);
    await stillServing(before);
  });

  describe('an upload without a valid CSRF token', () => {
    let created: string[];
    let watcher: fs.FSWatcher;
    beforeEach(() => {
      created = [];
      watcher = fs.watch(incoming, (_event, name) => name && created.push(name));
    });
    afterEach(() => watcher.close());

    for (const [what, fields] of [
      ['no _csrf field', [['kind', 'patent']]],
      ['a wrong _csrf field', [['_csrf', 'x'.repeat(64)], ['kind', 'patent']]],
    ] as const) {
      it(`${what}: 403, and no byte of the file reaches the disk`, async () => {
        const before = await snapshot(t.db);
        const req = t.admin.agent.post('/lists/imports').set('Origin', t.origin);
        for (const [k, v] of fields) req.field(k, v);
        const res = await req.attach('file', csv());
        expect(res.status).to.equal(403);
        expect(res.text).to.include('页面已过期');
        await sleep(50);
        expect(created, 'files created in the upload folder').to.deep.equal([]);
        await stillServing(before);
      });
    }

    it('a token sent after the file counts as none (the page sends it first): 403, nothing written', async () => {
      const before = await snapshot(t.db);
      const res = await t.admin.agent.post('/lists/imports').set('Origin', t.origin).field('kind', 'patent').attach('file', csv()).field('_csrf', t.admin.token);
      expect(res.status).to.equal(403);
      await sleep(50);
      expect(created).to.deep.equal([]);
      await stillServing(before);
    });
  });

  it('100 uploads aborted mid-file leave no file and no open descriptor behind', async () => {
    const before = await snapshot(t.db);
    const baseline = openDescriptors();
    const connections = await serverConnections();
    const cookie = cookieOf(t.admin);
    const head = requestHead(t.server, '/lists/imports', {
      Cookie: cookie,
      Origin: t.origin,
      'X-CSRF-Token': t.admin.token,
      'Content-Type': `multipart/form-data; boundary=${BOUNDARY}`,
      'Content-Length': 200_000,
    });
    const body = multipartField('kind', 'patent') + multipartField('year', '2025') + multipartFileHead('file', 'a.csv') + 'y'.repeat(50_000);
    for (let batch = 0; batch < 10; batch++) {
      await Promise.all(
        Array.from({ length: 10 }, async () => {
          const socket = await connect(t.server);
          socket.write(head + body);
          await sleep(30);
          socket.destroy();
        }),
      );
    }
    let now = openDescriptors();
    for (let i = 0; i < 100 && (now !== baseline || leftovers().length || (await serverConnections()) > connections); i++) {
      await sleep(50);
      now = openDescriptors();
    }
    expect(now, 'open file descriptors (other than sockets) after 100 aborted uploads').to.equal(baseline);
    expect(await serverConnections(), 'connections the server still holds').to.be.at.most(connections);
    await stillServing(before);
  });
});
