import { ID, IsLedgerId } from '../http/ids';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
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
} from 'class-validator';
import type { Role } from '@ledger/domain';
import { ListQueryDto } from '../http/list-query.dto';

const ROLES: Role[] = ['admin', 'staff', 'verifier', 'station', 'auditor', 'rider'];
/** A principal's scope lists are short in practice; the bound keeps a body small. */
const MAX_SCOPE_IDS = 500;
/** The longest a replaced token may go on acting: a week, for clients that are slow to update. */
export const MAX_TOKEN_GRACE_SECONDS = 7 * 24 * 3600;

export class CreatePrincipalDto {
  @ApiPropertyOptional({ example: 'jijiang-staff-1', pattern: ID.source })
  @IsOptional()
  @IsLedgerId()
  id?: string;

  @ApiProperty({ example: '几江街道社区工作站' })
  @IsString()
  @Length(1, 200)
  name!: string;

  @ApiProperty({ enum: ROLES, example: 'staff' })
  @IsIn(ROLES)
  role!: Role;

  @ApiPropertyOptional({
    type: [String],
    example: ['jijiang-01'],
    description: 'required for staff; for a verifier, empty means every community',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_SCOPE_IDS)
  @IsLedgerId({ each: true })
  communityIds?: string[];

  @ApiPropertyOptional({
    type: [String],
    example: ['station-07'],
    description: 'required for station',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_SCOPE_IDS)
  @IsLedgerId({ each: true })
  stationIds?: string[];

  @ApiPropertyOptional({ example: 'r-0001', description: 'required for rider' })
  @IsOptional()
  @IsLedgerId()
  riderId?: string;
}

export class PrincipalCreatedDto {
  @ApiProperty() id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: ROLES }) role!: Role;
  @ApiProperty({ type: [String] }) communityIds!: string[];
  @ApiProperty({ type: [String] }) stationIds!: string[];
  @ApiProperty({ type: String, nullable: true }) riderId!: string | null;
  @ApiProperty({ description: 'The bearer token: shown once, stored only as its SHA-256.' })
  token!: string;
  @ApiProperty({ description: 'Log position of the write.' }) position!: number;
}

export class PrincipalListDto extends ListQueryDto {
  @ApiPropertyOptional({ enum: ROLES }) @IsOptional() @IsIn(ROLES) role?: Role;
}

export class RotateTokenDto {
  @ApiPropertyOptional({
    minimum: 0,
    maximum: MAX_TOKEN_GRACE_SECONDS,
    default: 0,
    example: 3600,
    description:
      'How long the replaced token still acts, in seconds; 0 (the default) stops it before the answer.',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_TOKEN_GRACE_SECONDS)
  graceSeconds?: number;
}

export class TokenRotatedDto {
  @ApiProperty() id!: string;
  @ApiProperty({ description: 'The new bearer token: shown once, stored only as its SHA-256.' })
  token!: string;
  @ApiProperty({
    type: String,
    nullable: true,
    format: 'date-time',
    description: 'Until when the replaced token acts; null: it stopped at once.',
  })
  previousTokenValidUntil!: string | null;
  @ApiProperty({ description: 'Log position of the write.' }) position!: number;
}
