import { reportCommunities, type Actor } from '@ledger/domain';
import {
  hazardPage,
  taskPage,
  type HazardFilter,
  type HazardView,
  type Page,
  type ReadModels,
  type TaskFilter,
  type TaskView,
} from '@ledger/projections';
import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { READ_MODELS } from '../infrastructure/tokens';
import { caughtUp, ReadQuery, ScopedQuery } from './read-query';

export class ListTasksQuery extends ReadQuery<Page<TaskView>> {
  constructor(
    readonly filter: TaskFilter,
    minPosition?: number,
  ) {
    super(minPosition);
  }
}

/** Reports in filing order; staff and verifiers with communities see those communities' only. */
export class ListHazardsQuery extends ScopedQuery<Page<HazardView>> {
  constructor(
    actor: Actor,
    readonly filter: Omit<HazardFilter, 'communities'>,
    minPosition?: number,
  ) {
    super(actor, minPosition);
  }
}

@QueryHandler(ListTasksQuery)
export class ListTasksHandler implements IQueryHandler<ListTasksQuery> {
  constructor(@Inject(READ_MODELS) private readonly models: ReadModels) {}

  async execute(query: ListTasksQuery): Promise<Page<TaskView>> {
    await caughtUp(this.models, query, ['tasks']);
    return taskPage(this.models, query.filter);
  }
}

@QueryHandler(ListHazardsQuery)
export class ListHazardsHandler implements IQueryHandler<ListHazardsQuery> {
  constructor(@Inject(READ_MODELS) private readonly models: ReadModels) {}

  async execute(query: ListHazardsQuery): Promise<Page<HazardView>> {
    await caughtUp(this.models, query, ['hazards']);
    return hazardPage(this.models, {
      ...query.filter,
      communities: reportCommunities(query.actor),
    });
  }
}

export const WORKFLOW_QUERY_HANDLERS = [ListTasksHandler, ListHazardsHandler];
