import { expect } from 'chai';
import { ConfigError } from '../../src/config.js';
import { verifyPassword } from '../../src/features/accounts/passwords.js';
import { ensureFirstAdmin } from '../../src/features/users/first-admin.js';
import { createTestDb, type TestDb } from '../helpers/test-db.js';

describe('first start: the first administrator', () => {
  let t: TestDb;
  beforeEach(async () => {
    t = await createTestDb();
  });
  afterEach(() => t.destroy());

  it('When no password is configured, then one is generated, printed once, and must be changed at first login', async () => {
    const printed: string[] = [];
    await ensureFirstAdmin(t.db, null, (line) => printed.push(line));
    const admin = await t.db('users').where({ username: 'admin' }).first();
    const password = /临时密码 password: (\S+)/.exec(printed.join('\n'))![1]!;
    expect(await verifyPassword(admin.password_hash, password)).to.equal(true);
    expect(Boolean(admin.must_change_password)).to.equal(true);
    await ensureFirstAdmin(t.db, null, (line) => printed.push(line));
    expect(await t.db('users').count({ n: '*' }).first().then((r) => Number(r?.n))).to.equal(1);
  });

  it('When MIAOPU_ADMIN_PASSWORD is set, then it is used and nothing is printed', async () => {
    const printed: string[] = [];
    await ensureFirstAdmin(t.db, 'a configured passphrase 2026', (line) => printed.push(line));
    const admin = await t.db('users').where({ username: 'admin' }).first();
    expect(await verifyPassword(admin.password_hash, 'a configured passphrase 2026')).to.equal(true);
    expect(Boolean(admin.must_change_password)).to.equal(false);
    expect(printed).to.deep.equal([]);
  });

  it('When the configured password is weak, then start-up stops with a clear message', async () => {
    let error: unknown;
    try {
      await ensureFirstAdmin(t.db, 'short', () => undefined);
    } catch (err) {
      error = err;
    }
    expect(error).to.be.instanceOf(ConfigError);
    expect(await t.db('users').first()).to.equal(undefined);
  });
});
