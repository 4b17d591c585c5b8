/**
 * The per-request retention decision. The pure function lives in the fleet
 * client package (dependency-free, embedded by the serving fleet); the console
 * uses the very same module, so endpoint, pages and fleet cannot disagree.
 */
import { DECISION_REASONS, decideRetention, POLICY_UNAVAILABLE, productEligible } from "../../packages/fleet-client/src/decision";
import type { DecisionReason, DecisionRequest, RetentionDecision } from "../../packages/fleet-client/src/decision";

export { DECISION_REASONS, decideRetention, POLICY_UNAVAILABLE, productEligible };
export type { DecisionReason, DecisionRequest, RetentionDecision };
