import { say } from '@ledger/domain';
import { inWords } from '../http/i18n/validation-words';
import { ID, IsLedgerId } from '../http/ids';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ListQueryDto } from '../http/list-query.dto';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import {
  ITEM_KINDS,
  MAX_RESTOCK_QUANTITY,
  STATION_KINDS,
  type ItemKind,
  type StationKind,
} from '@ledger/domain';

/** A redemption names a handful of catalogue lines; the bound keeps one request small. */
const MAX_REDEMPTION_LINES = 50;

export class CreateStationDto {
  @ApiPropertyOptional({ example: 'jj-station-01', pattern: ID.source })
  @IsOptional()
  @IsLedgerId()
  id?: string;
  @ApiProperty({ example: '几江街道小哥驿站' }) @IsString() @Length(1, 200) name!: string;
  @ApiProperty({ example: '江津区' }) @IsString() @Length(1, 100) district!: string;
  @ApiPropertyOptional({ example: 'jijiang-01', description: 'the community it serves, if any' })
  @IsOptional()
  @IsLedgerId()
  communityId?: string;
  @ApiProperty({ enum: STATION_KINDS, description: '`centre`: a district redemption centre' })
  @IsIn(STATION_KINDS)
  kind!: StationKind;
}

export class PriceItemDto {
  @ApiProperty({ example: '雨衣' }) @IsString() @Length(1, 200) name!: string;
  @ApiProperty({ enum: ITEM_KINDS }) @IsIn(ITEM_KINDS) kind!: ItemKind;
  @ApiProperty({ example: 200, minimum: 1, maximum: 1_000_000 })
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  pricePoints!: number;
}

export class RestockDto {
  @ApiProperty({ example: 50, minimum: 1, maximum: MAX_RESTOCK_QUANTITY })
  @IsInt()
  @Min(1)
  @Max(MAX_RESTOCK_QUANTITY)
  quantity!: number;
}

export class SkuParams {
  @ApiProperty({ example: 'jj-station-01' }) @IsLedgerId() stationId!: string;
  @ApiProperty({ example: 'raincoat' }) @IsLedgerId() sku!: string;
}

export class RedemptionLineDto {
  @ApiProperty({ example: 'raincoat' }) @IsLedgerId() sku!: string;
  @ApiProperty({ example: 1, minimum: 1, maximum: MAX_RESTOCK_QUANTITY })
  @IsInt()
  @Min(1)
  @Max(MAX_RESTOCK_QUANTITY)
  quantity!: number;
}

export class RedemptionDto {
  @ApiProperty({ example: 'r-0001' }) @IsLedgerId() riderId!: string;
  @ApiProperty({ example: 'jj-station-01' }) @IsLedgerId() stationId!: string;
  @ApiProperty({ type: [RedemptionLineDto] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_REDEMPTION_LINES)
  @ValidateNested({ each: true })
  @Type(() => RedemptionLineDto)
  items!: RedemptionLineDto[];
}

/** Why a reversal or cancellation was made: kept in the log for auditors. */
export class ReasonDto {
  @ApiProperty({ example: '误操作，重复兑换' }) @IsString() @Length(1, 500) reason!: string;
}

export class StationListDto extends ListQueryDto {
  @ApiPropertyOptional({ example: '江津区' })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  district?: string;
}

export class StationDayDto extends ListQueryDto {
  @ApiProperty({ example: 'jj-station-01' }) @IsLedgerId() stationId!: string;
  @ApiPropertyOptional({
    example: '2026-12-03',
    description: 'the day (YYYY-MM-DD) in the deployment’s time zone; today when left out',
  })
  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}$/, inWords((p) => say`${p} must be a date written YYYY-MM-DD`))
  @IsISO8601({ strict: true }, inWords((p) => say`${p} must be a date that exists`))
  day?: string;
}
