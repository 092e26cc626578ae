/**
 * Collects requests of one kind from many declarations: the same path asked
 * by two channels becomes one entry that both channels share.
 */
export class Collector<T> {
  private readonly items = new Map<string, { value: T; channels: Set<string> }>();
  /** add() calls so far, repeats included: whether a declaration asked for something, even what another one asked first. */
  asked = 0;

  add(key: string, channel: string, value: T): void {
    this.asked++;
    const found = this.items.get(key);
    if (found) found.channels.add(channel);
    else this.items.set(key, { value, channels: new Set([channel]) });
  }

  /** Later declarations win (presets run in weight order: a heavier preset overrides a lighter one). */
  set(key: string, channel: string, value: T): void {
    const found = this.items.get(key);
    this.items.set(key, { value, channels: new Set([...(found?.channels ?? []), channel]) });
  }

  entries(): { key: string; value: T; channels: string[] }[] {
    return [...this.items].map(([key, { value, channels }]) => ({ key, value, channels: [...channels] }));
  }
}
