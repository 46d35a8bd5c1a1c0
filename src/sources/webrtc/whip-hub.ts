// Routes WHIP requests to the camera they name. A WHIP camera registers itself when its source is
// created and leaves when the source completes (camera removed, patched or the service stopping).
import { TsnError } from '../../errors/index.js';
import type { CameraSourceDeps } from '../camera-source.js';
import type { SourceOptions } from '../options.js';
import type { WhipIceOptions } from './whip-peer.js';
import {
  createWhipCameraSource,
  type WhipCameraSource,
  type WhipEndpoint,
  type WhipPublishResult,
  type WhipSourceOptions,
} from './whip-source.js';

export class WhipHub {
  private readonly endpoints = new Map<string, WhipEndpoint>();

  /** `ice`: ICE settings for every camera's sessions (a camera's own options override them). */
  constructor(private readonly ice: Partial<WhipIceOptions> = {}) {}

  /** A WHIP camera's source, reachable through this hub until its status$ completes. */
  createSource(options: WhipSourceOptions, deps: CameraSourceDeps): WhipCameraSource {
    const source = createWhipCameraSource({ ...options, ice: { ...this.ice, ...options.ice } }, deps);
    const detach = this.attach(options.id, source);
    source.status$.subscribe({ complete: detach });
    return source;
  }

  /** Makes `endpoint` answer for `cameraId`; the returned function undoes it (only if still the same). */
  attach(cameraId: string, endpoint: WhipEndpoint): () => void {
    this.endpoints.set(cameraId, endpoint);
    return () => {
      if (this.endpoints.get(cameraId) === endpoint) this.endpoints.delete(cameraId);
    };
  }

  has(cameraId: string): boolean {
    return this.endpoints.has(cameraId);
  }

  publish(
    cameraId: string,
    offerSdp: string,
    options: { readonly replace: boolean },
  ): Promise<WhipPublishResult> {
    return this.require(cameraId).publish(offerSdp, options);
  }

  async end(cameraId: string, sessionId: string): Promise<boolean> {
    return (await this.endpoints.get(cameraId)?.end(sessionId)) ?? false;
  }

  private require(cameraId: string): WhipEndpoint {
    const endpoint = this.endpoints.get(cameraId);
    if (endpoint !== undefined) return endpoint;
    throw new TsnError(
      'E_WHIP_NOT_FOUND',
      `no WHIP camera "${cameraId}": add one with {"id": "${cameraId}", "url": "whip://"} (POST /v1/cameras), or check that it is enabled`,
      { context: { camera: cameraId } },
    );
  }
}

/** A WHIP camera's source options from the generic ones the service builds for every camera. */
export function whipSourceOptions(options: SourceOptions): WhipSourceOptions {
  return {
    id: options.id,
    sampleFps: options.sampleFps,
    ...(options.output === undefined ? {} : { output: options.output }),
    ...(options.stallTimeoutMs === undefined ? {} : { stallTimeoutMs: options.stallTimeoutMs }),
    ...(options.connectTimeoutMs === undefined ? {} : { connectTimeoutMs: options.connectTimeoutMs }),
    ...(options.killGraceMs === undefined ? {} : { killGraceMs: options.killGraceMs }),
  };
}
