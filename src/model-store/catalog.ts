// The published PaddleVideo TSN checkpoints a model name stands for (README.md's table).
import type { ModelName } from '../config/index.js';

/** Names that stand for a downloadable checkpoint (demo-actions is built from package assets instead). */
export type PublishedName = Exclude<ModelName, 'demo-actions'>;

export interface PublishedModel {
  readonly name: PublishedName;
  readonly url: string;
  /** The file name PaddleVideo publishes; kept so a manually fetched file can be dropped in the cache. */
  readonly fileName: string;
  /** num_seg it was trained with: the default window split of the converted model. */
  readonly numSeg: number;
  readonly description: string;
}

export const publishedModels: Readonly<Record<PublishedName, PublishedModel>> = {
  tsn_k400: {
    name: 'tsn_k400',
    url: 'https://videotag.bj.bcebos.com/PaddleVideo-release2.2/TSN_k400.pdparams',
    fileName: 'TSN_k400.pdparams',
    numSeg: 3,
    description: 'TSN ResNet-50, Kinetics-400, trained with 3 segments (top-1 69.81)',
  },
  tsn_k400_8: {
    name: 'tsn_k400_8',
    url: 'https://videotag.bj.bcebos.com/PaddleVideo-release2.2/TSN_k400_8.pdparams',
    fileName: 'TSN_k400_8.pdparams',
    numSeg: 8,
    description: 'TSN ResNet-50, Kinetics-400, trained with 8 segments (top-1 71.70)',
  },
};
