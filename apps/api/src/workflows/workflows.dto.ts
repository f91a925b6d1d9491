import { ID, IsLedgerId } from '../http/ids';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsLatitude,
  IsLongitude,
  IsOptional,
  IsString,
  Length,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { MAX_TASK_SLOTS, SEVERITIES, type Severity } from '@ledger/domain';
import { IsInstant } from '../http/instant';
import { PageQueryDto } from '../riders/riders.dto';

export class PublishTaskDto {
  @ApiPropertyOptional({ example: 'jijiang-patrol-0615', pattern: ID.source })
  @IsOptional()
  @IsLedgerId()
  id?: string;
  @ApiProperty({ example: 'jijiang-aipingshan' }) @IsLedgerId() communityId!: string;
  @ApiProperty({ example: '滨江路夜间巡逻' }) @IsString() @Length(1, 200) title!: string;
  @ApiProperty({ example: 30 }) @IsInt() @Min(1) @Max(1_000_000) points!: number;
  @ApiProperty({ example: 10 }) @IsInt() @Min(1) @Max(MAX_TASK_SLOTS) slots!: number;
  @ApiProperty({ example: '2026-06-15T19:00:00+08:00' })
  @IsInstant()
  startsAt!: string;
  @ApiProperty({ example: '2026-06-15T23:00:00+08:00' })
  @IsInstant()
  endsAt!: string;
}

export class TaskQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ example: 'jijiang-aipingshan' })
  @IsOptional()
  @IsLedgerId()
  communityId?: string;
  @ApiPropertyOptional({
    description: 'only tasks taking sign-ups now (in their window, a slot free)',
  })
  @IsOptional()
  @IsIn(['true', 'false'])
  open?: 'true' | 'false';
}

export class CompletionDto {
  @ApiProperty({ example: 'r-0001' }) @IsLedgerId() riderId!: string;
  @ApiProperty({ example: 'jiangjin-2026' }) @IsLedgerId() fundId!: string;
}

export class LocationDto {
  @ApiProperty({ example: 29.2905 }) @IsLatitude() lat!: number;
  @ApiProperty({ example: 106.2594 }) @IsLongitude() lng!: number;
}

export class ReportHazardDto {
  @ApiPropertyOptional({ example: 'hz-20260615-001', pattern: ID.source })
  @IsOptional()
  @IsLedgerId()
  id?: string;
  @ApiProperty({ example: 'r-0001' }) @IsLedgerId() riderId!: string;
  @ApiProperty({
    example: 'manhole_cover',
    description: 'a category id: road_damage, manhole_cover …',
  })
  @IsLedgerId()
  category!: string;
  @ApiProperty({ example: '滨江路井盖破损，夜间易绊倒行人' })
  @IsString()
  @Length(1, 1000)
  description!: string;
  @ApiProperty({ type: LocationDto })
  @ValidateNested()
  @Type(() => LocationDto)
  location!: LocationDto;
  @ApiProperty({ example: '2026-06-15T21:10:00+08:00' })
  @IsInstant()
  occurredAt!: string;
}

export class VerificationDto {
  @ApiProperty({ enum: ['confirmed', 'rejected'] })
  @IsIn(['confirmed', 'rejected'])
  outcome!: 'confirmed' | 'rejected';
  @ApiPropertyOptional({ enum: SEVERITIES, description: 'needed to confirm' })
  @IsOptional()
  @IsIn(SEVERITIES)
  severity?: Severity;
  @ApiPropertyOptional({
    example: 'jiangjin-2026',
    description: 'needed to confirm: pays the award',
  })
  @IsOptional()
  @IsLedgerId()
  fundId?: string;
  @ApiProperty({ example: '养护单位现场核实：井盖缺失，定为重大' })
  @IsString()
  @Length(1, 500)
  note!: string;
}

export class HazardQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: ['submitted', 'duplicate', 'confirmed', 'rejected'] })
  @IsOptional()
  @IsIn(['submitted', 'duplicate', 'confirmed', 'rejected'])
  status?: string;
  @ApiPropertyOptional({ example: 'jijiang-aipingshan' })
  @IsOptional()
  @IsLedgerId()
  communityId?: string;
}
