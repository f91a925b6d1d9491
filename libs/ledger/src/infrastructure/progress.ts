/**
 * A progress bar on stderr (stdout stays for results, so pipes get clean data). On a terminal it
 * redraws one line; elsewhere it prints a line at every tenth.
 */
export class Progress {
  private shownTenth = -1;
  private readonly started = Date.now();

  constructor(
    private readonly label: string,
    private total: number,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {}

  /** `total`, when given, revises the total (an estimate that improves as the run goes). */
  update(done: number, total = this.total): void {
    this.total = total;
    const fraction = this.total === 0 ? 1 : Math.min(1, done / this.total);
    const seconds = ((Date.now() - this.started) / 1000).toFixed(1);
    const text = `${this.label.padEnd(14)} [${'#'.repeat(Math.round(fraction * 30)).padEnd(30, '.')}] ${done}/${this.total} ${seconds}s`;
    if (this.stream.isTTY) {
      this.stream.write(`\r${text}`);
    } else {
      const tenth = Math.floor(fraction * 10);
      if (tenth === this.shownTenth) return;
      this.shownTenth = tenth;
      this.stream.write(`${text}\n`);
    }
  }

  done(): void {
    this.update(this.total);
    if (this.stream.isTTY) this.stream.write('\n');
  }
}
