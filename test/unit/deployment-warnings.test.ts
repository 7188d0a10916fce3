/** The start-up warning for a production deployment that would send passwords in clear text. */
import { expect } from 'chai';
import { deploymentWarnings } from '../../src/config.js';

describe('deployment warnings at start-up', () => {
  it('warns in production when neither a trusted TLS proxy nor COOKIE_SECURE=true is configured', () => {
    const [warning, ...rest] = deploymentWarnings({ production: true, trustProxy: false, cookieSecure: 'auto' });
    expect(warning).to.include('without TLS').and.include('TRUST_PROXY');
    expect(rest).to.deep.equal([]);
  });
  it('is quiet behind a trusted proxy, or with COOKIE_SECURE=true, and outside production', () => {
    expect(deploymentWarnings({ production: true, trustProxy: 'loopback', cookieSecure: 'auto' })).to.deep.equal([]);
    expect(deploymentWarnings({ production: true, trustProxy: false, cookieSecure: true })).to.deep.equal([]);
    expect(deploymentWarnings({ production: false, trustProxy: false, cookieSecure: 'auto' })).to.deep.equal([]);
  });
  it('warns when cookies are never Secure in production', () => {
    expect(deploymentWarnings({ production: true, trustProxy: 1, cookieSecure: false })).to.have.length(1);
  });
});
