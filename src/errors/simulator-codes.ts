// RTSP camera simulator and WHIP publisher simulator.
export const simulatorErrorCodes = ['E_SIM_FILE'] as const;
