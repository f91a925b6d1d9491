import { say } from '@ledger/domain';
import { inWords } from '../http/i18n/validation-words';
import { ID, IsLedgerId } from '../http/ids';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, Length, Matches, Max, Min } from 'class-validator';
import { MAX_SELECTION_SIZE } from '@ledger/domain';
import { PERIOD } from '@ledger/projections';
import { ListQueryDto } from '../http/list-query.dto';
import { PageQueryDto } from '../riders/riders.dto';

/** `community:{id}`, `street:{name}` or `district:{name}`. */
export const SCOPE = /^(community|street|district):[^|]{1,100}$/u;

export class LeaderboardQueryDto extends PageQueryDto {
  @ApiProperty({
    example: 'district:江津区',
    description: 'community:{id}, street:{name} or district:{name}',
  })
  @Matches(
    SCOPE,
    inWords((p) => say`${p} must be community:{id}, street:{name} or district:{name}`),
  )
  scope!: string;
  @ApiProperty({ example: '2026', description: 'all, YYYY, YYYY-MM or YYYY-Www' })
  @Matches(PERIOD, inWords((p) => say`${p} must be all, YYYY, YYYY-MM or YYYY-Www`))
  period!: string;
}

export class OpenSelectionDto {
  @ApiPropertyOptional({ example: 'jiangjin-2026-top10', pattern: ID.source })
  @IsOptional()
  @IsLedgerId()
  id?: string;
  @ApiProperty({ example: '江津区' }) @IsString() @Length(1, 100) district!: string;
  @ApiProperty({ example: 2026 }) @IsInt() @Min(2000) @Max(2100) year!: number;
  @ApiProperty({ example: 10, minimum: 1, maximum: MAX_SELECTION_SIZE })
  @IsInt()
  @Min(1)
  @Max(MAX_SELECTION_SIZE)
  size!: number;
}

export class SelectionListDto extends ListQueryDto {
  @ApiPropertyOptional({ example: '江津区' })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  district?: string;
}
