// The recording feature: what media rooms write to, and what records, evidence and documents read.
export {
  CHECKPOINT_INFO_KEY,
  checkpointSchema,
  readCheckpointInfo,
  setCheckpointInfo,
  type RecordingCheckpoint,
} from './checkpoint.js';
export { chainFormat, genesis, isMediaSegment, nextHead } from './hash-chain.js';
export { platformManifestSeal } from './platform-seal.js';
export { screenShareParticipant, type RecordableRoom } from './RecordableRoom.js';
export {
  Recorder,
  type CapturedFrame,
  type ChainedEntry,
  type FinishedRecording,
  type RecordedRun,
  type RecordingOwnership,
} from './Recorder.js';
export {
  describeProblems,
  RecordingService,
  type LocalRecorderOperations,
  type RecordingIntegrity,
  type RedactionPlan,
  type RemoteRecorder,
} from './RecordingService.js';
export { RecorderRelay } from './recorder-relay.js';
export { RecordingStore } from './RecordingStore.js';
export { recordingRoutes } from './routes.js';
export { verifyRecording, type RecordingVerification } from './verification.js';
