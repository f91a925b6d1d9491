import { say } from '@ledger/domain';
import { inWords } from './i18n/validation-words';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { DEFAULT_LIST_LIMIT, MAX_LIST_LIMIT } from '@ledger/projections';
import { MinPositionDto } from '../organisation/min-position.dto';

/** The paging of the lists added with wave 2 (api.md): 1–200 a page, 50 unless asked. */
export class ListQueryDto extends MinPositionDto {
  @ApiPropertyOptional({ minimum: 1, maximum: MAX_LIST_LIMIT, default: DEFAULT_LIST_LIMIT })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_LIST_LIMIT)
  limit?: number;

  @ApiPropertyOptional({ description: 'the `nextCursor` of the previous page (opaque)' })
  @IsOptional()
  @Matches(
    /^[A-Za-z0-9_-]{1,512}$/,
    inWords((p) => say`${p} must be the nextCursor of a previous page`),
  )
  cursor?: string;
}
