/**
 * Response shapes of the API: re-exported from the HTTP contract (src/api-contract), which the server's route
 * handlers are typed with, so a page cannot rely on a field the server does not send. Only types the web
 * adds for itself are declared here. Type-only: nothing of the server's code reaches the bundle.
 */
import type { RunPage } from '../../../src/api-contract/index.ts';

export type * from '../../../src/api-contract/index.ts';

/** A page of a run's anomalies or ranked lines, as the anomalies page holds it. */
export type Page<T> = RunPage<T>;
