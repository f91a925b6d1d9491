import { say, WHOLE_PHONE } from '@ledger/domain';
import { inWords } from '../http/i18n/validation-words';
import { ID, IsLedgerId } from '../http/ids';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Length, Matches, Max, Min } from 'class-validator';
import {
  ACTIVITIES,
  OCCUPATIONS,
  SEVERITIES,
  type Activity,
  type Occupation,
  type Severity,
} from '@ledger/domain';
import { MinPositionDto } from '../organisation/min-position.dto';
import { ListQueryDto } from '../http/list-query.dto';
import { IsInstant } from '../http/instant';

export class RegisterRiderDto {
  @ApiPropertyOptional({ example: 'r-0001', pattern: ID.source })
  @IsOptional()
  @IsLedgerId()
  id?: string;
  @ApiProperty({ example: 'jijiang-01' }) @IsLedgerId() communityId!: string;
  @ApiProperty({ example: '美团' }) @IsString() @Length(1, 100) platform!: string;
  @ApiProperty({ enum: OCCUPATIONS }) @IsIn(OCCUPATIONS) occupation!: Occupation;
  @ApiProperty({ example: '张小哥', description: 'personal data: kept outside the log, erasable' })
  @IsString()
  @Length(1, 100)
  name!: string;
  @ApiPropertyOptional({ example: '13800138000', description: 'personal data' })
  @IsOptional()
  @Matches(
    WHOLE_PHONE,
    inWords((p) => say`${p} must be 5–20 digits, spaces or dashes, with a + in front if need be`),
  )
  phone?: string;
}

export class TransferDto {
  @ApiProperty({ example: 'dingshan-03' }) @IsLedgerId() communityId!: string;
}

export class AwardDto {
  @ApiProperty({ example: 'r-0001' }) @IsLedgerId() riderId!: string;
  @ApiProperty({ enum: ACTIVITIES }) @IsIn(ACTIVITIES) activity!: Activity;
  @ApiProperty({ example: 'jiangjin-2026' }) @IsLedgerId() fundId!: string;
  @ApiProperty({ example: '夜间巡逻 两小时' }) @IsString() @Length(1, 500) reason!: string;
  @ApiProperty({ example: '2026-06-14T21:00:00+08:00' })
  @IsInstant()
  occurredAt!: string;
  @ApiPropertyOptional({ example: 20 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  points?: number;
  @ApiPropertyOptional({ enum: SEVERITIES }) @IsOptional() @IsIn(SEVERITIES) severity?: Severity;
  @ApiPropertyOptional() @IsOptional() @IsLedgerId() taskId?: string;
  @ApiPropertyOptional({ description: 'a reference to evidence (a photo id, a document number)' })
  @IsOptional()
  @IsString()
  @Length(1, 500)
  evidence?: string;
}

export class PageQueryDto extends MinPositionDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 1000, default: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;
  @ApiPropertyOptional({ description: 'the `nextCursor` of the previous page' })
  @IsOptional()
  @Matches(/^\d{1,15}$/, inWords((p) => say`${p} must be the nextCursor of a previous page`))
  cursor?: string;
}

export class LedgerQueryDto extends PageQueryDto {
  @ApiPropertyOptional({
    enum: ['asc', 'desc'],
    default: 'asc',
    description: 'oldest first (`asc`) or newest first (`desc`); a cursor goes on in its own order',
  })
  @IsOptional()
  @IsIn(['asc', 'desc'])
  order?: 'asc' | 'desc';
}

export class RiderListDto extends ListQueryDto {
  @ApiPropertyOptional({ example: 'jijiang-aipingshan' })
  @IsOptional()
  @IsLedgerId()
  communityId?: string;
  @ApiPropertyOptional({
    example: '13800138000',
    description:
      'a whole phone number, or the start of a name (personal data: erased riders are not found by it)',
  })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  q?: string;
}
