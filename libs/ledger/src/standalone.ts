import { Module, type DynamicModule, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { LedgerConfig } from './config/ledger-config';
import { LedgerCoreModule } from './infrastructure/ledger-core.module';
import { LedgerModule } from './ledger.module';

@Module({})
class CliLedgerModule {
  static forRoot(config: LedgerConfig): DynamicModule {
    return { module: CliLedgerModule, imports: [LedgerCoreModule.forRoot(config), LedgerModule] };
  }
}

/**
 * The ledger's modules in this process, without HTTP: for commands that write (seal) or read the
 * read models (exports, replay). No live projection runners: a command catches up when it needs to.
 */
export async function withLedger<T>(
  config: LedgerConfig,
  work: (app: INestApplicationContext) => Promise<T>,
): Promise<T> {
  const app = await NestFactory.createApplicationContext(
    CliLedgerModule.forRoot({ ...config, runProjections: false }),
    // An error while opening (the embedded folder in use, a store down) reaches the caller, which
    // says what happened and exits with its code; Nest would otherwise end the process silently.
    { logger: false, abortOnError: false },
  );
  try {
    return await work(app);
  } finally {
    await app.close();
  }
}
