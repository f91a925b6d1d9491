import { balancesProjection } from './balances/balances.projection';
import { directoryProjection } from './directory/directory.projection';
import { fundsProjection } from './funds/funds.projection';
import { hazardsProjection } from './hazards/hazards.projection';
import { leaderboardsProjection } from './leaderboards/leaderboards.projection';
import { ledgerLinesProjection } from './ledger-lines/ledger-lines.projection';
import { principalsProjection } from './principals/principals.projection';
import { redemptionsProjection } from './redemptions/redemptions.projection';
import { logTreeProjection } from './log-tree/log-tree.projection';
import type { Projection } from './projection';
import { selectionsProjection } from './selections/selections.projection';
import { stationsProjection } from './stations/stations.projection';
import { tasksProjection } from './tasks/tasks.projection';

/** Every projection, in the order a full rebuild applies them. */
export const PROJECTIONS: readonly Projection[] = [
  directoryProjection,
  balancesProjection,
  ledgerLinesProjection,
  fundsProjection,
  stationsProjection,
  leaderboardsProjection,
  selectionsProjection,
  principalsProjection,
  tasksProjection,
  hazardsProjection,
  redemptionsProjection,
  logTreeProjection,
];

/** The read models' projections, by name: what a read may wait for. */
export const PROJECTION_NAMES = [
  'directory',
  'balances',
  'ledger-lines',
  'funds',
  'stations',
  'leaderboards',
  'selections',
  'principals',
  'tasks',
  'hazards',
  'redemptions',
  'log-tree',
] as const;
export type ProjectionName = (typeof PROJECTION_NAMES)[number];
