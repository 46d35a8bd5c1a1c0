/**
 * Splits a text stream into lines and keeps only the last `capacity` of them, so a camera that spews
 * decode errors for days costs a fixed amount of memory. A line longer than maxLineChars is cut.
 */
export class LineRing {
  private readonly lines: string[] = [];
  private partial = '';

  /** `map` runs on whole lines, so a secret split across two chunks is still seen whole by a redactor. */
  constructor(
    private readonly capacity: number,
    private readonly maxLineChars = 2_000,
    private readonly map: (line: string) => string = (line) => line,
  ) {}

  /** Appends text; returns the lines it completed. */
  push(text: string): string[] {
    const parts = (this.partial + text).split(/\r?\n|\r/);
    this.partial = (parts.pop() ?? '').slice(0, this.maxLineChars);
    const complete = parts.filter((l) => l.trim() !== '').map((l) => this.map(l.slice(0, this.maxLineChars)));
    for (const line of complete) this.keep(line);
    return complete;
  }

  /** The kept lines plus any unterminated last line. */
  snapshot(): string[] {
    if (this.partial.trim() === '') return [...this.lines];
    return [...this.lines, this.map(this.partial)].slice(-this.capacity);
  }

  clear(): void {
    this.lines.length = 0;
    this.partial = '';
  }

  private keep(line: string): void {
    this.lines.push(line);
    if (this.lines.length > this.capacity) this.lines.shift();
  }
}
