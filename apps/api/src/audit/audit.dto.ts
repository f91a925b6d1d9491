import { say } from '@ledger/domain';
import { inWords } from '../http/i18n/validation-words';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { IsInstant } from '../http/instant';

export class AuditEventsQueryDto {
  @ApiPropertyOptional({
    description: 'the `nextCursor` of the previous page; the start when absent',
  })
  @IsOptional()
  @Matches(
    /^([0-9:/]{1,64}|r[0-9]{1,15})$/,
    inWords((p) => say`${p} must be the nextCursor of a previous page`),
  )
  after?: string;
  @ApiPropertyOptional({ minimum: 1, maximum: 1000, default: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;
  @ApiPropertyOptional({ example: 'rider-r-0001', description: 'only events of this stream' })
  @IsOptional()
  @Matches(
    /^[a-z]+(-[A-Za-z0-9][A-Za-z0-9_.-]{0,63})?$/,
    inWords((p) => say`${p} must be a stream name`),
  )
  stream?: string;
}

export class AsOfDto {
  @ApiPropertyOptional({ example: '2026-06-30T24:00:00+08:00', description: 'now when absent' })
  @IsOptional()
  @IsInstant({ endOfDay: true })
  asOf?: string;
  @ApiPropertyOptional({
    enum: ['recorded', 'occurred'],
    default: 'recorded',
    description:
      'which time of each event is compared with asOf: when it was recorded, or when its act happened (an award’s occurredAt)',
  })
  @IsOptional()
  @IsIn(['recorded', 'occurred'], inWords((p) => say`${p} must be recorded or occurred`))
  by?: 'recorded' | 'occurred';
}

export class VerificationQueryDto {
  @ApiPropertyOptional({
    description:
      'true: check only the events after the last seal an earlier verification passed (from the first event when there is none); default: every event',
  })
  @IsOptional()
  @IsIn(['true', 'false'])
  incremental?: 'true' | 'false';
}
