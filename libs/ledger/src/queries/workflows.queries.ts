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
import { KeptTexts, withKeptTexts } from '../personal-data/kept-texts';
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
/** A report as the API shows it: its description looked up beside the log (`null` once erased). */
export type Hazard = Omit<HazardView, 'descriptionTextId'>;

export class ListHazardsQuery extends ScopedQuery<Page<Hazard>> {
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
  constructor(
    @Inject(READ_MODELS) private readonly models: ReadModels,
    private readonly texts: KeptTexts,
  ) {}

  async execute(query: ListHazardsQuery): Promise<Page<Hazard>> {
    await caughtUp(this.models, query, ['hazards']);
    const page = await hazardPage(this.models, {
      ...query.filter,
      communities: reportCommunities(query.actor),
    });
    const items = await withKeptTexts(
      this.texts,
      page.items,
      (row) => (row.description === null ? row.descriptionTextId : null),
      ({ descriptionTextId: _id, ...row }, kept) => ({
        ...row,
        description: row.description ?? kept,
      }),
    );
    return { ...page, items };
  }
}

export const WORKFLOW_QUERY_HANDLERS = [ListTasksHandler, ListHazardsHandler];
