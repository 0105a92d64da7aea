/** What the slot needs of an endpoint (the CredentialEndpoint, or a stand-in in a test). */
export interface SlotEndpoint {
  readonly token: string;
  start(): Promise<string>;
  stop(): Promise<void>;
}

/**
 * At most one live endpoint, whatever order the mode changes come in: every want()/dispose()
 * runs after the one before it has finished, so the last call wins, and a stopped endpoint is
 * never started again (a new start gets a new endpoint, with a new token). The live endpoint is
 * detached before it is stopped, so nothing hands out an address that is going away.
 */
export class EndpointSlot<E extends SlotEndpoint> {
  private live: E | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private disposed = false;

  constructor(private readonly create: () => E) {}

  /** The live endpoint, if any (tests read its counters). */
  get current(): E | undefined {
    return this.live;
  }

  /** Starts the endpoint (true) or stops it (false); resolves to its address and token when started. */
  want(on: boolean): Promise<{ url: string; token: string } | undefined> {
    const step = this.queue.then(async () => {
      if (!on || this.disposed) {
        await this.detachAndStop();
        return undefined;
      }
      const endpoint = (this.live ??= this.create());
      try {
        return { url: await endpoint.start(), token: endpoint.token };
      } catch (e) {
        if (this.live === endpoint) await this.detachAndStop();
        throw e;
      }
    });
    this.queue = step.catch(() => undefined);
    return step;
  }

  /** Stops the live endpoint now (a pending start is refused) and every later want(true). */
  dispose(): Promise<void> {
    this.disposed = true;
    const stopping = this.detachAndStop();
    this.queue = this.queue.then(() => this.detachAndStop());
    return Promise.all([stopping, this.queue]).then(() => undefined);
  }

  private async detachAndStop(): Promise<void> {
    const endpoint = this.live;
    this.live = undefined;
    await endpoint?.stop();
  }
}
