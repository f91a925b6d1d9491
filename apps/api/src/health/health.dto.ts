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
}
