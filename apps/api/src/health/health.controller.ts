import { Controller, Get, HttpStatus, Inject, Res } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { EventStore } from '@ledger/event-store';
import { EVENT_STORE, QUEUE_PROBE, READ_MODELS, type QueueProbe } from '@ledger/ledger';
import { projectionLag, type ReadModels } from '@ledger/projections';
import type { FastifyReply } from 'fastify';
import { Public } from '../auth/auth.guard';
import { HealthDto } from './health.dto';

/** A store that does not answer within this is reported down; health must stay fast. */
const STORE_PING_TIMEOUT_MS = 2000;

@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(QUEUE_PROBE) private readonly queue: QueueProbe,
    @Inject(READ_MODELS) private readonly readModels: ReadModels,
  ) {}

  @Get()
  @ApiOkResponse({ type: HealthDto, description: 'Every dependency answers.' })
  @ApiServiceUnavailableResponse({
    type: HealthDto,
    description: 'A dependency is down; it is named.',
  })
  async health(@Res({ passthrough: true }) reply: FastifyReply): Promise<HealthDto> {
    const [storeUp, queue] = await Promise.all([this.storeUp(), this.queue.check()]);
    const lag = storeUp
      ? await projectionLag(this.readModels, this.store).catch(() => undefined)
      : undefined;
    const ok = storeUp && queue.status === 'up';
    void reply.status(ok ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE);
    return {
      status: ok ? 'ok' : 'unavailable',
      store: { kind: this.store.kind, status: storeUp ? 'up' : 'down' },
      queue,
      projectionLag: lag === undefined ? null : Math.max(0, ...Object.values(lag)),
    };
  }

  private async storeUp(): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), STORE_PING_TIMEOUT_MS);
    });
    const ping = this.store.ping().then(
      () => true,
      () => false,
    );
    try {
      return await Promise.race([ping, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
