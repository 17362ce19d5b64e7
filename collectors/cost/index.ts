/**
 * collectors/cost: per order, everything it fanned out to, priced by a configurable cost model; summaries over
 * time, per event type and per service. See README.md.
 */
export { CostModelSchema, CostModelError, DEFAULT_COST_MODEL, parseCostModel, type CostModel } from './cost-model';
export { costPerOrder, costSummary, priceUsage, type CostBreakdown, type CostBucket, type CostSummary, type CostSummaryOptions, type OrderCost, type Usage } from './cost';
