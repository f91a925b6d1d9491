import type { LoggerService } from '@nestjs/common';

export type LogLine = Record<string, unknown> & { level: string; time: string; msg: string };

/**
 * One JSON object per line (level, time, context, msg and fields), for log shippers. Request
 * bodies are never logged, so names and phone numbers (the only personal data) never reach a log.
 */
export class JsonLogger implements LoggerService {
  constructor(
    private readonly write: (line: string) => void = (line) => process.stdout.write(line),
  ) {}

  log(message: unknown, ...rest: unknown[]): void {
    this.emit('info', message, rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.emit('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.emit('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.emit('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.emit('verbose', message, rest);
  }

  /** Nest passes `(message, context)` or `(message, stack, context)`; objects become fields. */
  private emit(level: string, message: unknown, rest: unknown[]): void {
    const context = typeof rest[rest.length - 1] === 'string' ? rest.pop() : undefined;
    const stack = typeof rest[0] === 'string' ? rest[0] : undefined;
    const fields =
      typeof message === 'object' && message !== null && !(message instanceof Error)
        ? (message as Record<string, unknown>)
        : { msg: message instanceof Error ? message.message : String(message) };
    const line: LogLine = {
      level,
      time: new Date().toISOString(),
      ...(context !== undefined && { context }),
      msg: '',
      ...fields,
      ...(stack !== undefined && { stack }),
    };
    this.write(`${JSON.stringify(line)}\n`);
  }
}
