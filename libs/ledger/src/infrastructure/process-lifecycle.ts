import { ConfigError } from '../config/ledger-config';

/**
 * Ctrl-C or SIGTERM: close the app (HTTP, runners, the store) once, then exit 0; a failed close
 * exits 1. Shared by the API and the worker.
 */
export function closeOnSignals(app: { close(): Promise<void> }, what: string): void {
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: closing ${what}…`);
    app.close().then(
      () => {
        console.log('stopped cleanly');
        process.exit(0);
      },
      (error: unknown) => {
        console.error('shutdown failed', error);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

/** A start-up failure: exit 2 with the list of bad settings, 1 for anything else. */
export function exitOnStartupError(error: unknown): never {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(error instanceof ConfigError ? 2 : 1);
}
