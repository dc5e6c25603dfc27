export { decisionStore, DECISION_KINDS, type Decision, type DecisionKind, type DecisionStore, type NewDecision, type SubjectKind } from './decision-store.ts';
export { recordDecision, hitDecisions, DecisionLookupError, type DecisionRequest } from './record-decision.ts';
export { decisionLabels, type DecisionLabels } from './anomaly-labels.ts';
