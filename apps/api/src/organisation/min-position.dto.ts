import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

/** Read-your-writes: wait (≤ 5 s) until the read model has the write at this position. */
export class MinPositionDto {
  @ApiPropertyOptional({
    description: 'the `position` a write answered; the read waits until it is applied',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  minPosition?: number;
}
