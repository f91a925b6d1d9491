import { ApiProperty } from '@nestjs/swagger';

class DependencyDto {
  @ApiProperty({
    example: 'embedded',
    enum: ['embedded', 'postgres', 'kurrentdb', 'redis', 'in-process'],
  })
  kind!: string;

  @ApiProperty({ enum: ['up', 'down'], example: 'up' })
  status!: 'up' | 'down';
}

class ProjectionHoldersDto {
  @ApiProperty({
    example: 'api-1/4242/9f3a1c',
    description: 'This process, as the lease table and the logs name it (host/pid/tag).',
  })
  process!: string;

  @ApiProperty({
    type: [String],
    example: [],
    description: 'The projections this process follows now (none in an API beside workers).',
  })
  held!: string[];

  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'string', nullable: true },
    nullable: true,
    example: { balances: 'worker-1/311/0b7c2e', funds: 'worker-2/298/a41d07' },
    description:
      'Every projection and the process holding its lease (null: none now, a takeover is due); null when the database cannot be asked.',
  })
  holders!: Record<string, string | null> | null;
}

export class HealthDto {
  @ApiProperty({ enum: ['ok', 'unavailable'], example: 'ok' })
  status!: 'ok' | 'unavailable';

  @ApiProperty({
    type: DependencyDto,
    description: 'The event store adapter and whether it answers.',
  })
  store!: DependencyDto;

  @ApiProperty({
    type: DependencyDto,
    description: 'The job queue: Redis, or in-process without REDIS_URL.',
  })
  queue!: DependencyDto;

  @ApiProperty({
    example: 0,
    nullable: true,
    type: Number,
    description:
      'Events the slowest read model is behind the log (counted up to 10,000); null when the store is down.',
  })
  projectionLag!: number | null;

  @ApiProperty({ type: ProjectionHoldersDto })
  projections!: ProjectionHoldersDto;
}
