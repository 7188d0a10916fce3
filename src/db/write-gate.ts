/**
 * One writer at a time inside this process, waited for asynchronously. SQLite has one write lock per
 * database; queueing our own writers here costs nothing, whereas letting two of them race for the
 * lock would make the second block the event loop in SQLite's busy handler.
 */
export class WriteGate {
  private held = false;
  private readonly waiting: (() => void)[] = [];

  acquire(): Promise<void> {
    if (!this.held) {
      this.held = true;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /** Take the gate only if it is free (background writes that would rather not wait). */
  tryAcquire(): boolean {
    if (this.held) return false;
    this.held = true;
    return true;
  }

  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.held = false;
  }

  get busy(): boolean {
    return this.held;
  }
}
