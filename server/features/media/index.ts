// The media feature's public surface: the SFU (mediasoup) rooms and their signalling.
export { type ms } from './engine.js';
export { Cascade } from './cascade/Cascade.js';
export { mediaServiceOptions, pipeListenIp } from './options.js';
export { MediaNode } from './MediaNode.js';
export { MediaPlacement, type MediaNodeView, type MediaPlacementTimes } from './MediaPlacement.js';
export { MediaService, type MediaServiceOptions, type PresenceSink, type RoomCascade } from './MediaService.js';
export { closeRoomsWhenSessionsEnd } from './room-lifecycle.js';
export { mediaSockets } from './signaling.js';
export { MediaDesk } from './MediaDesk.js';
export { mediaRelaySockets } from './relay/MediaRelay.js';
export { clusterRoomEnder, serveRelayedMedia } from './relay/desk-endpoint.js';
