import * as assert from 'node:assert/strict';
import { RoleSwitchError } from '../../../src/core/errors';
import type { Session } from '../../../src/core/session/session';
import { SessionManager, type RefreshPolicy, type RefreshProblem, type ResolveMode, type SessionChange } from '../../../src/core/session/sessionManager';
import { rejectsCode } from '../../support/assertions';
import { deferred, FakeClock, type Deferred } from '../../support/fakeClock';
import { roleSession, staticSession } from '../../support/sessions';

const HOUR = 3600_000;

/** lifetimeMs null: long-term keys that never expire. */
function fakeSession(clock: FakeClock, profileName: string, lifetimeMs: number | null = HOUR): Session {
  const startedAt = clock.now();
  return lifetimeMs === null ? staticSession({ profileName, startedAt }) : roleSession({ profileName, startedAt, expiresAt: startedAt + lifetimeMs });
}

/** A resolver whose answers the test hands out one by one, per call. */
class ScriptedResolver {
  readonly calls: { profileName: string; signal: AbortSignal; answer: Deferred<Session> }[] = [];
  readonly resolve = (profileName: string, signal: AbortSignal): Promise<Session> => {
    const answer = deferred<Session>();
    this.calls.push({ profileName, signal, answer });
    return answer.promise;
  };
}

describe('core/sessionManager', () => {
  let clock: FakeClock;
  let resolver: ScriptedResolver;
  let manager: SessionManager;
  let changes: SessionChange[];

  beforeEach(() => {
    clock = new FakeClock();
    resolver = new ScriptedResolver();
    manager = new SessionManager(resolver.resolve, clock);
    changes = [];
    manager.onDidChange((c) => changes.push(c));
  });
  afterEach(() => {
    manager.dispose();
  });

  async function activate(name: string, lifetimeMs: number | null = HOUR): Promise<Session> {
    const switching = manager.switchTo(name);
    const session = fakeSession(clock, name, lifetimeMs);
    resolver.calls.at(-1)!.answer.resolve(session);
    await switching;
    return session;
  }

  it('switchTo applies the session and fires assumed', async () => {
    const switching = manager.switchTo('admin');
    assert.equal(manager.switching, true);
    assert.equal(manager.active, undefined, 'nothing applied before resolving finished');
    const session = fakeSession(clock, 'admin');
    resolver.calls[0].answer.resolve(session);
    assert.equal(await switching, session);
    assert.equal(manager.active, session);
    assert.equal(manager.switching, false);
    assert.deepEqual(changes, [{ session, previous: undefined, reason: 'assumed' }]);
    assert.equal(resolver.calls[0].profileName, 'admin');
  });

  it('a second switch reports the first session as previous', async () => {
    const first = await activate('a');
    const second = await activate('b');
    assert.equal(changes.length, 2);
    assert.equal(changes[1].previous, first);
    assert.equal(changes[1].session, second);
    assert.equal(manager.active, second);
  });

  it('a failing switch leaves the previous session and fires nothing', async () => {
    const first = await activate('a');
    changes.length = 0;
    const failing = manager.switchTo('b');
    const error = new RoleSwitchError('Access denied', 'AccessDenied', 'b');
    resolver.calls[1].answer.reject(error);
    await assert.rejects(failing, (e) => e === error);
    assert.equal(manager.active, first);
    assert.deepEqual(changes, []);
    assert.equal(manager.switching, false);
  });

  it('a slow switch superseded by a newer one never overwrites it', async () => {
    const slow = manager.switchTo('slow');
    const fast = manager.switchTo('fast');
    assert.equal(resolver.calls[0].signal.aborted, true, 'the older switch is aborted');
    assert.equal(resolver.calls[1].signal.aborted, false);

    const fastSession = fakeSession(clock, 'fast');
    resolver.calls[1].answer.resolve(fastSession);
    await fast;
    resolver.calls[0].answer.resolve(fakeSession(clock, 'slow'));
    await rejectsCode(slow, 'Superseded');

    assert.equal(manager.active, fastSession);
    assert.deepEqual(changes.map((c) => [c.reason, c.session?.profileName]), [['assumed', 'fast']]);
  });

  it('a superseded switch that finishes first does not apply either', async () => {
    const slow = manager.switchTo('first');
    const newer = manager.switchTo('second');
    resolver.calls[0].answer.resolve(fakeSession(clock, 'first'));
    await rejectsCode(slow, 'Superseded');
    assert.equal(manager.active, undefined);
    assert.equal(manager.switching, true, 'the newer switch is still in flight');
    const second = fakeSession(clock, 'second');
    resolver.calls[1].answer.resolve(second);
    await newer;
    assert.equal(manager.active, second);
    assert.equal(changes.length, 1);
  });

  it('a superseded switch whose resolve failed (e.g. aborted) rejects with Superseded', async () => {
    const older = manager.switchTo('a');
    const newer = manager.switchTo('b');
    resolver.calls[0].answer.reject(Object.assign(new Error('aborted'), { name: 'AbortError' }));
    await rejectsCode(older, 'Superseded');
    resolver.calls[1].answer.resolve(fakeSession(clock, 'b'));
    await newer;
  });

  it('a drop by Sign Out says so in its change, so listeners can tell it from Drop Credentials', async () => {
    const session = await activate('admin');
    changes.length = 0;
    manager.drop('signedOut');
    assert.deepEqual(changes.map((c) => [c.reason, c.previous === session, c.session]), [['signedOut', true, undefined]]);
    assert.equal(clock.pendingTimers, 0);
  });

  it('drop during an in-flight switch leaves no session', async () => {
    const switching = manager.switchTo('admin');
    manager.drop();
    assert.equal(resolver.calls[0].signal.aborted, true);
    assert.equal(manager.switching, false);
    resolver.calls[0].answer.resolve(fakeSession(clock, 'admin'));
    await rejectsCode(switching, 'Superseded');
    assert.equal(manager.active, undefined);
    assert.deepEqual(changes, []);
    assert.equal(clock.pendingTimers, 0);
  });

  it('drop during a switch with a session active fires dropped once and the switch never applies', async () => {
    const first = await activate('a');
    const switching = manager.switchTo('b');
    manager.drop();
    resolver.calls[1].answer.resolve(fakeSession(clock, 'b'));
    await rejectsCode(switching, 'Superseded');
    assert.equal(manager.active, undefined);
    assert.deepEqual(changes.map((c) => c.reason), ['assumed', 'dropped']);
    assert.equal(changes[1].previous, first);
  });

  it('drop without a session fires nothing', () => {
    manager.drop();
    assert.deepEqual(changes, []);
  });

  it('refuses credentials that are already expired and keeps the previous session', async () => {
    const first = await activate('a');
    const switching = manager.switchTo('stale');
    resolver.calls[1].answer.resolve(fakeSession(clock, 'stale', 0));
    await rejectsCode(switching, 'ExpiredToken');
    assert.equal(manager.active, first);
    assert.equal(changes.length, 1);
  });

  it('fires expired when the clock reaches expiresAt, not before', async () => {
    const session = await activate('admin', HOUR);
    assert.equal(clock.pendingTimers, 1);
    clock.advance(HOUR - 1);
    assert.equal(manager.active, session);
    clock.advance(1);
    assert.equal(manager.active, undefined);
    assert.deepEqual(changes.map((c) => c.reason), ['assumed', 'expired']);
    assert.equal(changes[1].previous, session);
    assert.equal(clock.pendingTimers, 0);
  });

  it('expireIfDue called early (timer fired early) keeps the session and re-arms', async () => {
    const session = await activate('admin', HOUR);
    clock.advance(HOUR / 2);
    manager.expireIfDue();
    assert.equal(manager.active, session);
    assert.equal(clock.pendingTimers, 1);
    clock.advance(HOUR / 2);
    assert.equal(manager.active, undefined);
  });

  it('a static session without expiry never expires and arms no timer', async () => {
    await activate('keys', null);
    assert.equal(clock.pendingTimers, 0);
    clock.advance(100 * HOUR);
    assert.equal(manager.active?.profileName, 'keys');
  });

  it('switching replaces the expiry timer of the previous session', async () => {
    await activate('short', 10 * 60_000);
    const long = await activate('long', HOUR);
    assert.equal(clock.pendingTimers, 1);
    clock.advance(30 * 60_000);
    assert.equal(manager.active, long, 'the old session\'s timer must not expire the new one');
    assert.deepEqual(changes.map((c) => c.reason), ['assumed', 'assumed']);
  });

  it('drop clears the expiry timer', async () => {
    await activate('admin');
    manager.drop();
    assert.equal(clock.pendingTimers, 0);
    assert.deepEqual(changes.map((c) => c.reason), ['assumed', 'dropped']);
  });

  it('dispose clears timers and stops events; an in-flight switch is superseded', async () => {
    await activate('admin');
    const switching = manager.switchTo('other');
    manager.dispose();
    assert.equal(clock.pendingTimers, 0);
    assert.equal(resolver.calls[1].signal.aborted, true);
    resolver.calls[1].answer.resolve(fakeSession(clock, 'other'));
    await rejectsCode(switching, 'Superseded');
    clock.advance(2 * HOUR);
    assert.deepEqual(changes.map((c) => c.reason), ['assumed']);
  });

  it('a throwing listener does not stop other listeners', async () => {
    const seen: string[] = [];
    manager.onDidChange(() => {
      throw new Error('bad listener');
    });
    manager.onDidChange((c) => seen.push(c.reason));
    await activate('admin');
    assert.deepEqual(seen, ['assumed']);
  });
});

describe('core/sessionManager: refresh before expiry', () => {
  let clock: FakeClock;
  let calls: { profileName: string; mode: ResolveMode; signal: AbortSignal; answer: Deferred<Session> }[];
  let manager: SessionManager;
  let changes: SessionChange[];
  let problems: (RefreshProblem | undefined)[];
  let policy: RefreshPolicy;
  let shared: Session | undefined;
  const flush = () => new Promise((r) => setImmediate(r));

  beforeEach(() => {
    clock = new FakeClock();
    calls = [];
    policy = { enabled: true, leadMs: 5 * 60_000 };
    shared = undefined;
    manager = new SessionManager(
      (profileName, signal, mode) => {
        const answer = deferred<Session>();
        calls.push({ profileName, mode, signal, answer });
        return answer.promise;
      },
      clock,
      { refreshPolicy: () => policy, peekShared: async () => shared },
    );
    changes = [];
    problems = [];
    manager.onDidChange((c) => changes.push(c));
    manager.onDidChangeRefreshProblem((p) => problems.push(p));
  });
  afterEach(() => manager.dispose());

  async function activate(name: string, lifetimeMs = HOUR): Promise<Session> {
    const switching = manager.switchTo(name);
    const session = fakeSession(clock, name, lifetimeMs);
    calls.at(-1)!.answer.resolve(session);
    await switching;
    return session;
  }

  it('refreshes 5 minutes before expiry, without prompting, and fires refreshed', async () => {
    const first = await activate('dev');
    clock.advance(HOUR - 5 * 60_000 - 1);
    assert.equal(calls.length, 1, 'not yet');
    clock.advance(1);
    await flush();
    assert.equal(calls.length, 2);
    assert.deepEqual(calls[1].mode, { interactive: false, refresh: true });
    const second = fakeSession(clock, 'dev');
    calls[1].answer.resolve(second);
    await flush();
    assert.equal(manager.active, second);
    assert.deepEqual(changes.map((c) => c.reason), ['assumed', 'refreshed']);
    assert.equal(changes[1].previous, first);
    // and the next refresh is scheduled from the new expiry
    assert.equal(manager.nextRefreshAt, (second.expiresAt ?? 0) - 5 * 60_000);
  });

  it('a session shorter than the lead refreshes halfway, not in a loop', async () => {
    policy.leadMs = 20 * 60_000;
    const s = await activate('short', 15 * 60_000);
    assert.equal(manager.nextRefreshAt, s.startedAt + 7.5 * 60_000);
  });

  it('a failed refresh keeps the old session until it really expires, and reports one problem', async () => {
    const first = await activate('dev');
    clock.advance(HOUR - 5 * 60_000);
    await flush();
    calls[1].answer.reject(new RoleSwitchError('STS down', 'Unreachable', 'dev'));
    await flush();
    assert.equal(manager.active, first);
    assert.equal(problems.length, 1);
    assert.equal(problems[0]?.needsMfa, false);
    assert.equal(manager.refreshProblem?.profileName, 'dev');
    clock.advance(5 * 60_000);
    assert.equal(manager.active, undefined);
    assert.deepEqual(changes.map((c) => c.reason), ['assumed', 'expired']);
    assert.equal(manager.refreshProblem, undefined, 'cleared on expiry');
  });

  it('a failed background refresh tries again a minute later, quietly, while time is left', async () => {
    await activate('dev');
    clock.advance(HOUR - 5 * 60_000);
    await flush();
    calls[1].answer.reject(new RoleSwitchError('STS down', 'Unreachable', 'dev'));
    await flush();
    assert.equal(calls.length, 2);
    clock.advance(60_000);
    await flush();
    assert.equal(calls.length, 3, 'retried');
    assert.deepEqual(calls[2].mode, { interactive: false, refresh: true });
    const fresh = fakeSession(clock, 'dev');
    calls[2].answer.resolve(fresh);
    await flush();
    assert.equal(manager.active, fresh);
    assert.equal(manager.refreshProblem, undefined);
  });

  it('a click on Refresh does not join a background refresh that cannot prompt', async () => {
    await activate('dev');
    const background = manager.refresh({ interactive: false });
    await flush();
    const clicked = manager.refresh({ interactive: true });
    await flush();
    assert.equal(calls.length, 3);
    assert.equal(calls[1].signal.aborted, true, 'the background run is cancelled');
    assert.deepEqual(calls[2].mode, { interactive: true, refresh: true });
    calls[2].answer.resolve(fakeSession(clock, 'dev'));
    calls[1].answer.resolve(fakeSession(clock, 'dev'));
    assert.ok(await clicked);
    await background;
  });

  it('a refresh that needs an MFA code says so instead of prompting', async () => {
    await activate('secure');
    clock.advance(HOUR - 5 * 60_000);
    await flush();
    calls[1].answer.reject(new RoleSwitchError('needs a code', 'MfaRequired', 'secure'));
    await flush();
    assert.equal(manager.refreshProblem?.needsMfa, true);
    // the user clicks "Enter MFA code": an interactive refresh
    const again = manager.refresh({ interactive: true });
    await flush();
    assert.deepEqual(calls[2].mode, { interactive: true, refresh: true });
    calls[2].answer.resolve(fakeSession(clock, 'secure'));
    assert.ok(await again);
    assert.equal(manager.refreshProblem, undefined);
  });

  it('a refresh that finishes after a switch never overwrites the newer session', async () => {
    await activate('dev');
    const refreshing = manager.refresh();
    await flush();
    const switching = manager.switchTo('prod');
    assert.equal(calls[1].signal.aborted, true, 'the switch cancels the refresh');
    const prod = fakeSession(clock, 'prod');
    calls[2].answer.resolve(prod);
    await switching;
    calls[1].answer.resolve(fakeSession(clock, 'dev'));
    assert.equal(await refreshing, undefined);
    assert.equal(manager.active, prod);
  });

  it('a drop during a refresh leaves no session', async () => {
    await activate('dev');
    const refreshing = manager.refresh();
    await flush();
    manager.drop();
    calls[1].answer.resolve(fakeSession(clock, 'dev'));
    assert.equal(await refreshing, undefined);
    assert.equal(manager.active, undefined);
  });

  it('takes what another window already refreshed instead of calling STS', async () => {
    await activate('dev');
    clock.advance(10 * 60_000);
    shared = fakeSession(clock, 'dev');
    const refreshed = await manager.refresh();
    assert.equal(refreshed, shared);
    assert.equal(calls.length, 1, 'no resolve');
    // but never another profile's session
    shared = fakeSession(clock, 'other');
    clock.advance(10 * 60_000);
    const p = manager.refresh();
    await flush();
    assert.equal(calls.length, 2);
    calls[1].answer.resolve(fakeSession(clock, 'dev'));
    await p;
  });

  it('concurrent refreshes share one resolve; disabled policy schedules nothing', async () => {
    await activate('dev');
    const a = manager.refresh();
    const b = manager.refresh();
    await flush();
    assert.equal(calls.length, 2);
    calls[1].answer.resolve(fakeSession(clock, 'dev'));
    assert.equal(await a, await b);
    policy.enabled = false;
    manager.reschedule();
    assert.equal(manager.nextRefreshAt, undefined);
  });

  it('restore brings back a live session once, and refuses an expired one', () => {
    const dead = fakeSession(clock, 'dev', 1000);
    clock.advance(2000);
    assert.equal(manager.restore(dead), false);
    const live = fakeSession(clock, 'dev');
    assert.equal(manager.restore(live), true);
    assert.equal(manager.restore(fakeSession(clock, 'other')), false, 'never over an active session');
    assert.deepEqual(changes.map((c) => c.reason), ['restored']);
  });

  it('dispose leaves no timer behind', async () => {
    await activate('dev');
    assert.ok(clock.pendingTimers >= 2);
    manager.dispose();
    assert.equal(clock.pendingTimers, 0);
  });
});
