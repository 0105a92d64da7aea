import * as assert from 'node:assert/strict';
import { formatCredentials } from '../../../src/core/delivery/exportFormats';
import { roleSession } from '../../support/sessions';


describe('Copy Credentials: the formats of aws configure export-credentials', () => {
  it('fish uses set -x with the same variables', () => {
    const text = formatCredentials(roleSession(), 'fish');
    assert.deepEqual(text.trim().split('\n').map((l) => l.split(' ').slice(0, 3).join(' ')), ['set -x AWS_ACCESS_KEY_ID', 'set -x AWS_SECRET_ACCESS_KEY', 'set -x AWS_SESSION_TOKEN', 'set -x AWS_CREDENTIAL_EXPIRATION']);
  });
});
