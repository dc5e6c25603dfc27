export { explore, lines, categoryOf as categoryOfDataset, parseSort, compileWhere, joinLookups, type CompiledWhere, ExploreSpecError, MAX_PAGE, type ExploreSpec, type ExploreResult, type ExploreOptions, type LinesSpec, type LinesResult, type SortKey } from './explore-query.ts';
export { CATALOGUES, type ExploreDataset, type Dimension, type Measure, type Join, type FilterField } from './catalogue.ts';
export { parseFilter, FilterSyntaxError, type FilterNode } from './filter-expr.ts';
