export * from "./errors";
export { type Lane, type LaneHooks, type LaneLogger, type LaneStepResult, stepLane, syncLane } from "./lane";
export { TxLaneManager, type TxLaneManagerOptions } from "./laneManager";
export * from "./reads";
export * from "./types";
