import { closeEpochDefinition } from "./closeEpoch/definition";
import { scoreSubmissionDefinition } from "./scoreSubmission/definition";
import type { WorkflowServices } from "./services";
import type { WorkflowDefinition } from "./types";
import { workSubmissionDefinition } from "./workSubmission/definition";

/** The workflow definitions this gateway version runs. */
export const workflowDefinitions: readonly WorkflowDefinition<WorkflowServices>[] = [
  workSubmissionDefinition,
  scoreSubmissionDefinition,
  closeEpochDefinition,
];
