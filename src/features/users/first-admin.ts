/**
 * An empty database gets one administrator so the app can be entered at all: with the password
 * from MIAOPU_ADMIN_PASSWORD, or a generated one printed once to the console (and to be changed
 * at first login).
 */
import type { Knex } from 'knex';
import { ConfigError } from '../../config.js';
import { nowIso } from '../../lib/dates.js';
import { log } from '../../lib/log.js';
import { checkPasswordPolicy, generatePassword, hashPassword } from '../accounts/passwords.js';

export async function ensureFirstAdmin(db: Knex, configuredPassword: string | null, print: (line: string) => void = console.log): Promise<void> {
  if (await db('users').first('id')) return;
  if (configuredPassword) {
    const weak = checkPasswordPolicy(configuredPassword, 'admin');
    if (weak) throw new ConfigError(`MIAOPU_ADMIN_PASSWORD is not acceptable: ${weak}`);
  }
  const password = configuredPassword ?? generatePassword();
  const at = nowIso();
  await db('users').insert({
    username: 'admin',
    display_name: '系统管理员',
    role: 'admin',
    password_hash: await hashPassword(password),
    must_change_password: configuredPassword === null,
    is_active: true,
    version: 1,
    created_at: at,
    updated_at: at,
  });
  log.info('created the first administrator', { username: 'admin', passwordFrom: configuredPassword ? 'MIAOPU_ADMIN_PASSWORD' : 'generated' });
  if (!configuredPassword) {
    print('');
    print('  首个管理员账户已创建 / first administrator created');
    print(`  用户名 username: admin    临时密码 password: ${password}`);
    print('  （只显示这一次；首次登录时须修改 / shown once; must be changed at first login）');
    print('');
  }
}
