import { Controller, Get, HttpStatus, Res } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { HealthQuery } from '@ledger/ledger';
import type { FastifyReply } from 'fastify';
import { Public } from '../auth/auth.guard';
import { LedgerHttp } from '../http/ledger-http';
import { HealthDto } from './health.dto';

@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  constructor(private readonly ledger: LedgerHttp) {}

  @Get()
  @ApiOkResponse({ type: HealthDto, description: 'Every dependency answers.' })
  @ApiServiceUnavailableResponse({
    type: HealthDto,
    description: 'A dependency is down; it is named.',
  })
  async health(@Res({ passthrough: true }) reply: FastifyReply): Promise<HealthDto> {
    const report = await this.ledger.ask(new HealthQuery());
    void reply.status(report.status === 'ok' ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE);
    return report;
  }
}
