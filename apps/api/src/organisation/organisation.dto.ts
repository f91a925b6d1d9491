import { ID, IsLedgerId } from '../http/ids';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Length,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { ACTIVITIES, type Activity } from '@ledger/domain';
import { ListQueryDto } from '../http/list-query.dto';

const POINTS = { min: 1, max: 1_000_000 };
/** A deployment's budget: far above any fund in the field reports, still a safe integer sum. */
const MAX_BUDGET_POINTS = 1_000_000_000_000;

export class CreateCommunityDto {
  @ApiPropertyOptional({ example: 'jijiang-01', pattern: ID.source })
  @IsOptional()
  @IsLedgerId()
  id?: string;
  @ApiProperty({ example: '几江街道艾坪山社区' }) @IsString() @Length(1, 200) name!: string;
  @ApiProperty({ example: '几江街道' }) @IsString() @Length(1, 100) street!: string;
  @ApiProperty({ example: '江津区' }) @IsString() @Length(1, 100) district!: string;
}

export class CreateFundDto {
  @ApiPropertyOptional({ example: 'jiangjin-2026', pattern: ID.source })
  @IsOptional()
  @IsLedgerId()
  id?: string;
  @ApiProperty({ example: '江津区小哥积分专项资金' }) @IsString() @Length(1, 200) name!: string;
  @ApiProperty({ example: '江津区' }) @IsString() @Length(1, 100) district!: string;
  @ApiProperty({ example: 1_000_000 })
  @IsInt()
  @Min(1)
  @Max(MAX_BUDGET_POINTS)
  budgetPoints!: number;
}

export class TopUpDto {
  @ApiProperty({ example: 50_000 }) @IsInt() @Min(POINTS.min) @Max(POINTS.max) points!: number;
  @ApiProperty({ example: '年中追加预算' }) @IsString() @Length(1, 500) reason!: string;
}

class SeverityPointsDto {
  @ApiProperty() @IsInt() @Min(POINTS.min) @Max(POINTS.max) minor!: number;
  @ApiProperty() @IsInt() @Min(POINTS.min) @Max(POINTS.max) moderate!: number;
  @ApiProperty() @IsInt() @Min(POINTS.min) @Max(POINTS.max) major!: number;
}

export class RuleDto {
  @ApiProperty({ enum: ACTIVITIES, example: 'patrol' }) @IsIn(ACTIVITIES) activity!: Activity;
  @ApiPropertyOptional({ example: 20 })
  @IsOptional()
  @IsInt()
  @Min(POINTS.min)
  @Max(POINTS.max)
  points?: number;
  @ApiPropertyOptional({ type: SeverityPointsDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => SeverityPointsDto)
  pointsBySeverity?: SeverityPointsDto;
  @ApiPropertyOptional({ example: 60 })
  @IsOptional()
  @IsInt()
  @Min(POINTS.min)
  @Max(POINTS.max)
  maxPointsPerRiderPerDay?: number;
}

export class RulesDto {
  @ApiProperty({ type: [RuleDto] })
  @IsArray()
  @ArrayMaxSize(ACTIVITIES.length)
  @ValidateNested({ each: true })
  @Type(() => RuleDto)
  rules!: RuleDto[];
}

export class BadgeDto {
  @ApiProperty({ example: 'bronze' }) @IsLedgerId() id!: string;
  @ApiProperty({ example: '铜牌小哥' }) @IsString() @Length(1, 100) name!: string;
  @ApiProperty({ example: 500 })
  @IsInt()
  @Min(POINTS.min)
  @Max(POINTS.max)
  thresholdPoints!: number;
}

export class BadgesDto {
  /** Badge tiers are a handful; the bound keeps the body small. */
  @ApiProperty({ type: [BadgeDto] })
  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => BadgeDto)
  badges!: BadgeDto[];
}

export class CommunityListDto extends ListQueryDto {
  @ApiPropertyOptional({ example: '江津区' })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  district?: string;
  @ApiPropertyOptional({ example: '几江街道' })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  street?: string;
}
