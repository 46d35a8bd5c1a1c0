// RTSP camera simulator and WHIP publisher simulator.
import type { ErrorCatalog } from './catalog.js';

export const simulatorErrors = {
  E_SIM_FILE: {},
  E_SIM_FFMPEG: {},
  E_SIM_CAMERA: {},
  E_SIM_LISTEN: {},
  E_SIM_ARGS: {},
  E_SIM_CLIP: {},
  E_SIM_CLOSED: {},
} as const satisfies ErrorCatalog;
