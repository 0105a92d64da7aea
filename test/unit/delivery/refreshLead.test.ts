import * as assert from 'node:assert/strict';
import { ENDPOINT_MIN_LEAD_MS, refreshLeadMs } from '../../../src/core/delivery/refreshLead';

describe('core/delivery/refreshLead', () => {
  it('renews the setting\'s minutes before expiry when terminals hold the keys', () => {
    assert.equal(refreshLeadMs(5, 'environment'), 5 * 60_000);
    assert.equal(refreshLeadMs(30, 'environment'), 30 * 60_000);
  });

  it('in endpoint mode renews before botocore\'s 15-minute refresh window, never later', () => {
    assert.ok(ENDPOINT_MIN_LEAD_MS > 15 * 60_000);
    assert.equal(refreshLeadMs(5, 'endpoint'), ENDPOINT_MIN_LEAD_MS);
    assert.equal(refreshLeadMs(20, 'endpoint'), 20 * 60_000);
  });
});
