import * as assert from 'node:assert/strict';
import { formatCountdown, formatDuration } from '../../../src/core/session/countdown';

describe('core/countdown', () => {
  it('shows m:ss under an hour', () => {
    assert.equal(formatCountdown((42 * 60 + 17) * 1000), '42:17');
    assert.equal(formatCountdown(5_000), '0:05');
    assert.equal(formatCountdown((59 * 60 + 59) * 1000), '59:59');
  });

  it('shows h:mm:ss from an hour on', () => {
    assert.equal(formatCountdown((3600 + 59 * 60 + 3) * 1000), '1:59:03');
    assert.equal(formatCountdown(3600_000), '1:00:00');
    assert.equal(formatCountdown(12 * 3600_000), '12:00:00');
  });

  it('rounds partial seconds down so it never shows more time than is left', () => {
    assert.equal(formatCountdown(3600_000 - 1), '59:59');
    assert.equal(formatCountdown(999), '0:00');
    assert.equal(formatCountdown(1000), '0:01');
  });

  it('shows 0:00 once expired', () => {
    assert.equal(formatCountdown(0), '0:00');
    assert.equal(formatCountdown(-5_000), '0:00');
    assert.equal(formatCountdown(-3600_000), '0:00');
  });

  it('formatDuration words hours and minutes', () => {
    assert.equal(formatDuration(3600), '1 hour');
    assert.equal(formatDuration(900), '15 minutes');
    assert.equal(formatDuration(5400), '1 hour 30 minutes');
    assert.equal(formatDuration(7260), '2 hours 1 minute');
    assert.equal(formatDuration(45), '45 seconds');
    assert.equal(formatDuration(1), '1 second');
  });
});
