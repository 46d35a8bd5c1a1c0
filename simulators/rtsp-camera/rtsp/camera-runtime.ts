import type { CameraFeed } from '../media/camera-feed.js';
import type { PacketFaults } from '../faults.js';
import type { CameraSpec, FaultSpec } from '../types.js';

/** Everything the server keeps for one camera; faults change at run time through setFault/clearFaults. */
export interface CameraRuntime {
  readonly spec: CameraSpec;
  readonly feed: CameraFeed;
  readonly fps: number;
  faults: FaultSpec;
  packetFaults: PacketFaults;
}
