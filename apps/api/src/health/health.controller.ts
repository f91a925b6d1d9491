import { Controller, Get, HttpStatus, Inject, Res } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { EventStore } from '@ledger/event-store';
import { EVENT_STORE, QUEUE_PROBE, type QueueProbe } from '@ledger/ledger';
import type { FastifyReply } from 'fastify';
import { HealthDto } from './health.dto';

/** A store that does not answer within this is reported down; health must stay fast. */
const STORE_PING_TIMEOUT_MS = 2000;

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(QUEUE_PROBE) private readonly queue: QueueProbe,
  ) {}

  @Get()
  @ApiOkResponse({ type: HealthDto, description: 'Every dependency answers.' })
  @ApiServiceUnavailableResponse({
    type: HealthDto,
    description: 'A dependency is down; it is named.',
  })
  async health(@Res({ passthrough: true }) reply: FastifyReply): Promise<HealthDto> {
    const [storeUp, queue] = await Promise.all([this.storeUp(), this.queue.check()]);
    const ok = storeUp && queue.status === 'up';
    void reply.status(ok ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE);
    return {
      status: ok ? 'ok' : 'unavailable',
      store: { kind: this.store.kind, status: storeUp ? 'up' : 'down' },
      queue,
      // No projections run yet; the read side reports its largest lag here once it does.
      projectionLag: 0,
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
