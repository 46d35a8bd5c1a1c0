/** A float32 tensor, row-major. */
export interface Tensor {
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

/**
 * Canonical tensor names are torchvision's ResNet names (conv1.weight, bn1.running_mean,
 * layer1.0.conv1.weight, layer1.0.downsample.0.weight, layer1.0.downsample.1.running_var, ...),
 * with fc.weight stored [numClasses, featureDim] (out, in) as torchvision does.
 */
export type Weights = ReadonlyMap<string, Tensor>;

/*
 * A model directory (written by writeModelDir / `tsn convert`, read by loadModel):
 *   manifest.json        a ModelManifest (below), validated on load
 *   weights.safetensors  F32 tensors under canonical names, in torchvision state_dict order
 *                        (no num_batches_tracked); loads into torchvision's resnetNN(num_classes=C)
 *   labels.txt           one class name per line, line i = class i
 */
export const MODEL_FORMAT = 'tsn-stream-model';
export const MODEL_FORMAT_VERSION = 1;

export type ResNetDepth = 18 | 34 | 50 | 101;

/** What both kinds of manifest hold (manifest.ts: commonManifestFields, and each schema's labelsFile). */
interface CommonManifest {
  readonly format: typeof MODEL_FORMAT;
  readonly formatVersion: typeof MODEL_FORMAT_VERSION;
  readonly numClasses: number;
  /** Crop side fed to the backbone. */
  readonly inputSize: number;
  /** Short side frames are scaled to before cropping. */
  readonly scaleShortSide: number;
  readonly mean: readonly [number, number, number];
  readonly std: readonly [number, number, number];
  readonly defaultNumSeg: number;
  readonly labelsFile: string;
}

export interface ModelManifest extends CommonManifest {
  readonly architecture: 'tsn-resnet';
  readonly depth: ResNetDepth;
  /** 512 for depth 18/34, 2048 for 50/101. */
  readonly featureDim: number;
  readonly source: { readonly file: string; readonly sha256: string; readonly format: 'paddle-pdparams' };
  readonly weightsFile: string;
  /** Absent = 'fp32'. 'int8': the backbone runs as a QDQ graph built from the weights and `quantization`. */
  readonly precision?: ModelPrecision;
  /** Present exactly when precision is 'int8' (written by tsn quantize). */
  readonly quantization?: QuantizationInfo;
}

export type ModelPrecision = 'fp32' | 'int8';
export type CalibrationMethod = 'minmax' | 'percentile' | 'entropy';

/** The uint8 quantization of one activation tensor: real = scale * (q - zeroPoint). */
export interface ActivationRange {
  /** Calibrated range (always contains 0). */
  readonly min: number;
  readonly max: number;
  readonly scale: number;
  readonly zeroPoint: number;
}

/**
 * How an int8 model was made. Weights stay float32 in the weights file; the int8 weights (per output
 * channel, symmetric) are derived from them when the graph is built, so only activations need a table.
 */
export interface QuantizationInfo {
  readonly method: CalibrationMethod;
  readonly weights: 'int8-per-channel-symmetric';
  readonly activations: 'uint8-per-tensor-asymmetric';
  /** What the ranges were measured on (file base names, images through the project's preprocessing). */
  readonly calibration: { readonly clips: readonly string[]; readonly images: number };
  /**
   * How the input image is quantized. 'pixels': as its pixel bytes, exactly (the graph undoes the
   * normalisation, src/inference/quantize/pixel-input.ts). Absent: by the calibrated range of the
   * "input" point (tables written before 'pixels' existed).
   */
  readonly input?: 'pixels';
  /** Activation point name (src/inference/quantize/points.ts) -> range. */
  readonly ranges: Readonly<Record<string, ActivationRange>>;
  /**
   * Bias correction (Nagel et al. 2019): conv node name -> per output channel, the mean shift int8
   * rounding put on that conv's output on the calibration images, subtracted from its folded bias when
   * the graph is built. Absent in tables written before it existed (then no correction).
   */
  readonly biasCorrection?: Readonly<Record<string, readonly number[]>>;
  /**
   * Activation equalisation (src/inference/quantize/equalize.ts): group key -> per channel, the factor
   * its channels are multiplied by where they are made (and divided by where they are read); every range
   * and bias correction in the table is measured on the equalised network. Absent: none.
   */
  readonly equalization?: Readonly<Record<string, readonly number[]>>;
}

/** A loaded model directory. */
export interface Model {
  readonly dir: string;
  /** Stable id for events: "<dir basename>@<first 12 hex of source sha256>". */
  readonly id: string;
  readonly manifest: ModelManifest;
  readonly weights: Weights;
  readonly labels: readonly string[];
}

/*
 * An external clip model directory (docs/inference.md, "External clip models"): a whole-window ONNX model
 * taking [N, T, 3, H, W] (T = numSeg x views, PaddleVideo's layout) that cannot be split into backbone and
 * head, e.g. a paddle2onnx export. Only `tsn serve` runs it (clip mode); it has no safetensors weights.
 *   manifest.json  an OnnxClipManifest
 *   model.onnx     the model (modelFile)
 *   labels.txt     one class name per line
 */
export interface OnnxClipManifest extends CommonManifest {
  readonly architecture: 'onnx-clip';
  readonly modelFile: string;
}

/** A loaded external clip model directory. */
export interface ClipModel {
  readonly dir: string;
  /** "<dir basename>@<first 12 hex of the model file's sha256>". */
  readonly id: string;
  readonly manifest: OnnxClipManifest;
  /** Absolute path of the ONNX file. */
  readonly modelPath: string;
  readonly labels: readonly string[];
}

/** What a model directory holds, by manifest architecture. */
export type AnyModel =
  | { readonly kind: 'tsn-resnet'; readonly model: Model }
  | { readonly kind: 'onnx-clip'; readonly model: ClipModel };
