import protobuf from 'protobufjs';

/**
 * The subset of onnx.proto (github.com/onnx/onnx, onnx/onnx.proto, IR version 8) this project writes.
 * Field numbers are the official ones; everything not needed for a dense float32 or QDQ graph is left out.
 */
const onnxDescriptor = {
  nested: {
    onnx: {
      nested: {
        AttributeProto: {
          fields: {
            name: { type: 'string', id: 1 },
            f: { type: 'float', id: 2 },
            i: { type: 'int64', id: 3 },
            s: { type: 'bytes', id: 4 },
            t: { type: 'TensorProto', id: 5 },
            floats: { rule: 'repeated', type: 'float', id: 7 },
            ints: { rule: 'repeated', type: 'int64', id: 8 },
            type: { type: 'int32', id: 20 },
          },
        },
        ValueInfoProto: {
          fields: { name: { type: 'string', id: 1 }, type: { type: 'TypeProto', id: 2 } },
        },
        NodeProto: {
          fields: {
            input: { rule: 'repeated', type: 'string', id: 1 },
            output: { rule: 'repeated', type: 'string', id: 2 },
            name: { type: 'string', id: 3 },
            opType: { type: 'string', id: 4 },
            attribute: { rule: 'repeated', type: 'AttributeProto', id: 5 },
            domain: { type: 'string', id: 7 },
          },
        },
        ModelProto: {
          fields: {
            irVersion: { type: 'int64', id: 1 },
            producerName: { type: 'string', id: 2 },
            producerVersion: { type: 'string', id: 3 },
            domain: { type: 'string', id: 4 },
            modelVersion: { type: 'int64', id: 5 },
            docString: { type: 'string', id: 6 },
            graph: { type: 'GraphProto', id: 7 },
            opsetImport: { rule: 'repeated', type: 'OperatorSetIdProto', id: 8 },
          },
        },
        GraphProto: {
          fields: {
            node: { rule: 'repeated', type: 'NodeProto', id: 1 },
            name: { type: 'string', id: 2 },
            initializer: { rule: 'repeated', type: 'TensorProto', id: 5 },
            docString: { type: 'string', id: 10 },
            input: { rule: 'repeated', type: 'ValueInfoProto', id: 11 },
            output: { rule: 'repeated', type: 'ValueInfoProto', id: 12 },
          },
        },
        TensorProto: {
          fields: {
            dims: { rule: 'repeated', type: 'int64', id: 1 },
            dataType: { type: 'int32', id: 2 },
            name: { type: 'string', id: 8 },
            rawData: { type: 'bytes', id: 9 },
          },
        },
        TensorShapeProto: {
          fields: { dim: { rule: 'repeated', type: 'Dimension', id: 1 } },
          nested: {
            Dimension: {
              oneofs: { value: { oneof: ['dimValue', 'dimParam'] } },
              fields: { dimValue: { type: 'int64', id: 1 }, dimParam: { type: 'string', id: 2 } },
            },
          },
        },
        TypeProto: {
          fields: { tensorType: { type: 'Tensor', id: 1 } },
          nested: {
            Tensor: {
              fields: { elemType: { type: 'int32', id: 1 }, shape: { type: 'TensorShapeProto', id: 2 } },
            },
          },
        },
        OperatorSetIdProto: {
          fields: { domain: { type: 'string', id: 1 }, version: { type: 'int64', id: 2 } },
        },
      },
    },
  },
};

/** TensorProto.DataType values used here. */
export const ONNX_FLOAT = 1;
export const ONNX_UINT8 = 2;
export const ONNX_INT8 = 3;
export const ONNX_INT32 = 6;
export const ONNX_INT64 = 7;
/** AttributeProto.AttributeType values used here. */
export const AttributeType = { FLOAT: 1, INT: 2, INTS: 7 } as const;

export const ONNX_IR_VERSION = 8;
export const ONNX_OPSET = 17;

/** A dimension is fixed (number) or symbolic (string, e.g. "batch"). */
export type Dim = number | string;

export interface OnnxAttribute {
  readonly name: string;
  readonly type: (typeof AttributeType)[keyof typeof AttributeType];
  readonly i?: number;
  readonly f?: number;
  readonly ints?: readonly number[];
}

export interface OnnxNode {
  readonly name: string;
  readonly opType: string;
  readonly input: readonly string[];
  readonly output: readonly string[];
  readonly attribute: readonly OnnxAttribute[];
}

/** Tensor data: float32 (the default), or the int types of quantized graphs. */
export type OnnxTensorData = Float32Array | Uint8Array | Int8Array | Int32Array | BigInt64Array;

export interface OnnxInitializer {
  readonly name: string;
  /** [] for a scalar. */
  readonly dims: readonly number[];
  readonly data: OnnxTensorData;
}

export interface OnnxValueInfo {
  readonly name: string;
  /** Omitted: rank unknown (e.g. intermediate tensors exposed as outputs for calibration). */
  readonly shape?: readonly Dim[];
}

export interface OnnxGraph {
  readonly name: string;
  readonly nodes: readonly OnnxNode[];
  readonly initializers: readonly OnnxInitializer[];
  readonly inputs: readonly OnnxValueInfo[];
  readonly outputs: readonly OnnxValueInfo[];
}

function valueInfo(v: OnnxValueInfo): object {
  if (v.shape === undefined) return { name: v.name, type: { tensorType: { elemType: ONNX_FLOAT } } };
  const dim = v.shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d }));
  return { name: v.name, type: { tensorType: { elemType: ONNX_FLOAT, shape: { dim } } } };
}

function dataType(data: OnnxTensorData): number {
  if (data instanceof Float32Array) return ONNX_FLOAT;
  if (data instanceof Uint8Array) return ONNX_UINT8;
  if (data instanceof Int8Array) return ONNX_INT8;
  if (data instanceof BigInt64Array) return ONNX_INT64;
  return ONNX_INT32;
}

const hostIsLittleEndian = new Uint8Array(new Float32Array([1]).buffer)[3] === 0x3f;

/** ONNX raw_data is little-endian whatever the host. */
function littleEndianBytes(data: OnnxTensorData): Uint8Array {
  if (hostIsLittleEndian || data.BYTES_PER_ELEMENT === 1)
    return new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
  const bytes = new Uint8Array(data.byteLength);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < data.length; i++) {
    if (data instanceof BigInt64Array) view.setBigInt64(i * 8, data[i] ?? 0n, true);
    else if (data instanceof Float32Array) view.setFloat32(i * 4, data[i] ?? 0, true);
    else view.setInt32(i * 4, data[i] ?? 0, true);
  }
  return bytes;
}

/** Serialises a graph as an ONNX ModelProto (ir_version 8, default domain opset 17). */
export function encodeOnnxModel(graph: OnnxGraph, producerVersion = '0'): Uint8Array {
  const ModelProto = protobuf.Root.fromJSON(onnxDescriptor).lookupType('onnx.ModelProto');
  const message = ModelProto.fromObject({
    irVersion: ONNX_IR_VERSION,
    producerName: 'tsn-stream',
    producerVersion,
    opsetImport: [{ domain: '', version: ONNX_OPSET }],
    graph: {
      name: graph.name,
      node: graph.nodes.map((n) => ({ ...n, input: [...n.input], output: [...n.output] })),
      initializer: graph.initializers.map((t) => ({
        name: t.name,
        dims: [...t.dims],
        dataType: dataType(t.data),
        rawData: littleEndianBytes(t.data),
      })),
      input: graph.inputs.map(valueInfo),
      output: graph.outputs.map(valueInfo),
    },
  });
  return ModelProto.encode(message).finish();
}

/** Decodes a ModelProto back to plain objects (tests inspect what was written). */
export function decodeOnnxModel(bytes: Uint8Array): Record<string, unknown> {
  const ModelProto = protobuf.Root.fromJSON(onnxDescriptor).lookupType('onnx.ModelProto');
  return ModelProto.toObject(ModelProto.decode(bytes), { longs: Number, defaults: false });
}
