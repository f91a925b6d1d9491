import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { MeQuery } from '@ledger/ledger';
import { LedgerHttp, type Caller } from '../http/ledger-http';
import { Answers } from '../http/openapi';
import { Ledger } from '../http/request-context';

@ApiTags('principals')
@ApiBearerAuth()
@Controller('v1/me')
export class MeController {
  constructor(private readonly ledger: LedgerHttp) {}

  /** Who the token belongs to, and what it may act on (its communities, stations or rider). */
  @Get()
  @Answers(
    200,
    {
      id: 'jijiang-staff-1',
      name: '几江街道社区工作站',
      role: 'staff',
      communityIds: ['jijiang-aipingshan'],
      stationIds: [],
      riderId: null,
      categories: [],
      timeZone: 'Asia/Shanghai',
      now: '2026-12-04T09:30:00.000+08:00',
    },
    'Done.',
    { strings: ['communityIds', 'stationIds', 'categories'] },
  )
  me(@Ledger() caller: Caller) {
    return this.ledger.ask(new MeQuery(caller.actor));
  }
}
