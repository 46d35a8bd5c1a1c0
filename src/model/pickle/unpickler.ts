import { TsnError } from '../../errors/index.js';
import { ByteReader } from './byte-reader.js';
import {
  applyState,
  callGlobal,
  corrupt,
  resolveGlobal,
  unsupported,
  type AllocationBudget,
} from './globals.js';
import { MAX_PROTOCOL, MIN_PROTOCOL, Op } from './opcodes.js';
import { PyDict, PyGlobal, PyList, PyTuple, describe, type DictKey, type PickleValue } from './values.js';

export interface PickleLimits {
  /** Largest single bytes/str object; a declared length above it fails with E_CKPT_TOO_LARGE. */
  readonly maxObjectBytes: number;
  readonly maxStackItems: number;
  readonly maxMemoEntries: number;
  /** Nesting of MARKs (tuples, lists, dicts being built). */
  readonly maxMarkDepth: number;
}

// Estimated heap bytes of what the opcodes build. One opcode byte can create a container (`]`, `}`, `)`)
// that costs V8 over a hundred bytes, so without a budget a 20 MB pickle of `]a` pairs built 1.9 GB.
// Honest checkpoints are mostly array bytes (views, not copies) and build a few objects per tensor.
const OBJECT_COST = 128;
const SLOT_COST = 16;
const MEMO_COST = 32;
/** Structure memory allowed: proportional to the input, plus room for small files. */
export function structureBudgetBytes(inputBytes: number): number {
  return 4 * inputBytes + (32 << 20);
}

export const defaultPickleLimits: PickleLimits = Object.freeze({
  maxObjectBytes: 1 << 30,
  maxStackItems: 200_000,
  maxMemoEntries: 1_000_000,
  maxMarkDepth: 1_000,
});

/**
 * Reads one pickle (protocols 2 to 5, the opcodes paddle.save and numpy emit) from memory without
 * executing anything: only whitelisted numpy/codecs globals are understood. Byte strings are views into
 * `bytes`, so the input must outlive the result.
 */
export function readPickle(bytes: Uint8Array, limits: PickleLimits = defaultPickleLimits): PickleValue {
  assertPickleStart(bytes);
  return new Unpickler(bytes, limits).run();
}

/** Throws E_CKPT_NOT_PICKLE unless `head` (the file's first bytes) starts a protocol 2+ pickle. */
export function assertPickleStart(head: Uint8Array): void {
  if (head.length === 0 || head[0] !== Op.PROTO) {
    throw new TsnError(
      'E_CKPT_NOT_PICKLE',
      'the checkpoint is not a pickle written by paddle.save (protocol 2 or later): ' +
        (head.length === 0 ? 'the file is empty' : `it starts with byte 0x${(head[0] ?? 0).toString(16)}`),
      { context: { size: head.length } },
    );
  }
}

class Unpickler {
  private readonly in: ByteReader;
  private readonly stack: PickleValue[] = [];
  private readonly marks: number[] = [];
  private readonly memo = new Map<number, PickleValue>();
  private readonly budget: AllocationBudget;
  private structureLeft: number;
  private readonly utf8 = new TextDecoder('utf-8', { fatal: true });
  private opOffset = 0;

  constructor(
    bytes: Uint8Array,
    private readonly limits: PickleLimits,
  ) {
    this.in = new ByteReader(bytes, limits.maxObjectBytes);
    // Honest pickles re-encode (latin-1) and re-order (Fortran arrays) at most the file's own bytes
    // once each; BINGET reuse of one big object beyond that is an attack or corruption.
    this.budget = { remaining: 2 * bytes.length + 1024 };
    this.structureLeft = structureBudgetBytes(bytes.length);
  }

  run(): PickleValue {
    for (;;) {
      this.opOffset = this.in.position;
      const op = this.in.u8();
      if (op === Op.STOP) return this.pop();
      this.step(op);
    }
  }

  private step(op: number): void {
    if (this.pushLiteral(op) || this.buildContainer(op) || this.useMemo(op) || this.callOrBuild(op)) return;
    switch (op) {
      case Op.PROTO:
        return this.proto();
      case Op.FRAME:
        return this.in.expect(this.in.u64Length('a FRAME'), 'a FRAME');
      case Op.MARK:
        if (this.marks.length >= this.limits.maxMarkDepth)
          throw this.limit('MARK nesting', this.limits.maxMarkDepth);
        this.marks.push(this.stack.length);
        return;
      case Op.POP:
        if (this.marks.length > 0 && this.stack.length === this.marks[this.marks.length - 1]) this.popMark();
        else this.pop();
        return;
      case Op.POP_MARK:
        this.popMark();
        return;
      case Op.DUP:
        this.push(this.peek());
        return;
      default:
        throw unsupported(`opcode 0x${op.toString(16)}`, this.opOffset);
    }
  }

  private proto(): void {
    const version = this.in.u8();
    if (version < MIN_PROTOCOL || version > MAX_PROTOCOL) {
      throw unsupported(`pickle protocol ${version} (paddle.save writes 2 or 4)`, this.opOffset);
    }
  }

  private pushLiteral(op: number): boolean {
    switch (op) {
      case Op.NONE:
        return this.push(null);
      case Op.NEWTRUE:
        return this.push(true);
      case Op.NEWFALSE:
        return this.push(false);
      case Op.BININT:
        return this.push(this.in.i32());
      case Op.BININT1:
        return this.push(this.in.u8());
      case Op.BININT2:
        return this.push(this.in.u16());
      case Op.LONG1:
        return this.push(this.long(this.in.u8()));
      case Op.LONG4:
        return this.push(this.long(this.in.u32()));
      case Op.BINFLOAT:
        return this.push(this.in.f64BigEndian());
      case Op.SHORT_BINUNICODE:
        return this.push(this.text(this.in.u8()));
      case Op.BINUNICODE:
        return this.push(this.text(this.in.u32()));
      case Op.BINUNICODE8:
        return this.push(this.text(this.in.u64Length('a str')));
      case Op.SHORT_BINBYTES:
        return this.pushObject(this.in.take(this.in.u8(), 'a bytes object'));
      case Op.BINBYTES:
        return this.pushObject(this.in.take(this.in.u32(), 'a bytes object'));
      case Op.BINBYTES8:
        return this.pushObject(this.in.take(this.in.u64Length('a bytes object'), 'a bytes object'));
      default:
        return false;
    }
  }

  private buildContainer(op: number): boolean {
    switch (op) {
      case Op.EMPTY_TUPLE:
        return this.pushObject(new PyTuple([]));
      case Op.TUPLE1:
      case Op.TUPLE2:
      case Op.TUPLE3:
        return this.pushObject(new PyTuple(this.popN(op - Op.TUPLE1 + 1)));
      case Op.TUPLE:
        return this.pushObject(new PyTuple(this.popMark()));
      case Op.EMPTY_LIST:
        return this.pushObject(new PyList());
      case Op.LIST:
        return this.pushObject(this.listOf(this.popMark()));
      case Op.APPEND:
        return this.append([this.pop()]);
      case Op.APPENDS:
        return this.append(this.popMark());
      case Op.EMPTY_DICT:
        return this.pushObject(new PyDict());
      case Op.DICT:
        return this.pushObject(this.setItems(new PyDict(), this.popMark()));
      case Op.SETITEM:
        return this.setItems(this.peekDict(2), this.popN(2)) !== null;
      case Op.SETITEMS: {
        const items = this.popMark();
        return this.setItems(this.peekDict(0), items) !== null;
      }
      default:
        return false;
    }
  }

  private useMemo(op: number): boolean {
    switch (op) {
      case Op.MEMOIZE:
        return this.memoize(this.memo.size);
      case Op.BINPUT:
        return this.memoize(this.in.u8());
      case Op.LONG_BINPUT:
        return this.memoize(this.in.u32());
      case Op.BINGET:
        return this.push(this.memoGet(this.in.u8()));
      case Op.LONG_BINGET:
        return this.push(this.memoGet(this.in.u32()));
      default:
        return false;
    }
  }

  private callOrBuild(op: number): boolean {
    switch (op) {
      case Op.GLOBAL: {
        const module = this.in.line(200);
        const name = this.in.line(200);
        return this.pushObject(resolveGlobal(module, name, this.opOffset));
      }
      case Op.STACK_GLOBAL: {
        const [module, name] = this.popN(2);
        if (typeof module !== 'string' || typeof name !== 'string')
          throw corrupt('STACK_GLOBAL of non-strings', this.opOffset);
        return this.pushObject(resolveGlobal(module, name, this.opOffset));
      }
      case Op.REDUCE: {
        const [fn, args] = this.popN(2);
        if (!(fn instanceof PyGlobal) || !(args instanceof PyTuple)) {
          throw corrupt('REDUCE without a whitelisted callable and an argument tuple', this.opOffset);
        }
        const made = callGlobal(fn, args, this.budget, this.opOffset);
        if (made instanceof PyTuple && made !== args.items[0]) this.charge(made.items.length * SLOT_COST);
        return this.pushObject(made);
      }
      case Op.BUILD: {
        const state = this.pop();
        applyState(this.peek(), state, this.budget, this.opOffset);
        return true;
      }
      default:
        return false;
    }
  }

  private long(n: number): number {
    if (n > 7) throw unsupported(`an integer of ${n} bytes`, this.opOffset);
    const b = this.in.take(n, 'an integer');
    let v = 0;
    for (let i = n - 1; i >= 0; i--) v = v * 256 + (b[i] as number);
    if (n > 0 && (b[n - 1] as number) >= 0x80) v -= 2 ** (8 * n);
    return v;
  }

  private text(n: number): string {
    const raw = this.in.take(n, 'a str');
    this.charge(OBJECT_COST + 2 * n);
    try {
      return this.utf8.decode(raw);
    } catch (cause) {
      throw new TsnError(
        'E_CKPT_CORRUPT',
        `the checkpoint holds text that cannot be decoded (invalid UTF-8 or too long) at byte ${this.opOffset}`,
        {
          cause,
          context: { offset: this.opOffset },
        },
      );
    }
  }

  private listOf(items: PickleValue[]): PyList {
    const list = new PyList();
    this.charge(items.length * SLOT_COST);
    // A loop, not push(...items): spreading 200,000 items overflows the call stack.
    for (const item of items) list.items.push(item);
    return list;
  }

  private append(items: PickleValue[]): boolean {
    const target = this.peek();
    if (!(target instanceof PyList)) throw corrupt(`APPEND to ${describe(target)}`, this.opOffset);
    this.charge(items.length * SLOT_COST);
    for (const item of items) target.items.push(item);
    return true;
  }

  private peekDict(above: number): PyDict {
    const index = this.stack.length - 1 - above;
    const target = index >= this.floor() ? this.stack[index] : undefined;
    if (!(target instanceof PyDict)) {
      throw corrupt(`SETITEM on ${target === undefined ? 'nothing' : describe(target)}`, this.opOffset);
    }
    return target;
  }

  private setItems(dict: PyDict, flat: readonly PickleValue[]): PyDict {
    if (flat.length % 2 !== 0) throw corrupt('SETITEMS with an odd number of items', this.opOffset);
    this.charge(flat.length * SLOT_COST);
    for (let i = 0; i < flat.length; i += 2) dict.entries.set(this.key(flat[i] ?? null), flat[i + 1] ?? null);
    return dict;
  }

  private key(value: PickleValue): DictKey {
    if (value === null || typeof value !== 'object') return value;
    throw unsupported(`a dict key of type ${describe(value)}`, this.opOffset);
  }

  private memoize(index: number): boolean {
    if (this.memo.size >= this.limits.maxMemoEntries && !this.memo.has(index)) {
      throw this.limit('memo entries', this.limits.maxMemoEntries);
    }
    if (!this.memo.has(index)) this.charge(MEMO_COST);
    this.memo.set(index, this.peek());
    return true;
  }

  private memoGet(index: number): PickleValue {
    const value = this.memo.get(index);
    if (value === undefined) throw corrupt(`memo entry ${index} read before it was written`, this.opOffset);
    return value;
  }

  /** Pushes a value that is a new heap object, charging its cost first. */
  private pushObject(value: PickleValue): boolean {
    this.charge(OBJECT_COST);
    return this.push(value);
  }

  private charge(bytes: number): void {
    this.structureLeft -= bytes;
    if (this.structureLeft >= 0) return;
    throw new TsnError(
      'E_CKPT_TOO_LARGE',
      `the checkpoint builds more objects than a file of ${this.in.size} bytes can hold (at byte ` +
        `${this.opOffset}): it is corrupt or crafted, not a TSN checkpoint`,
      { context: { offset: this.opOffset, sizeBytes: this.in.size } },
    );
  }

  private push(value: PickleValue): boolean {
    if (this.stack.length >= this.limits.maxStackItems)
      throw this.limit('stack items', this.limits.maxStackItems);
    this.stack.push(value);
    return true;
  }

  private floor(): number {
    return this.marks.length === 0 ? 0 : (this.marks[this.marks.length - 1] as number);
  }

  private peek(): PickleValue {
    if (this.stack.length <= this.floor()) throw corrupt('an operation on an empty stack', this.opOffset);
    return this.stack[this.stack.length - 1] as PickleValue;
  }

  private pop(): PickleValue {
    const value = this.peek();
    this.stack.length -= 1;
    return value;
  }

  private popN(n: number): PickleValue[] {
    if (this.stack.length - this.floor() < n)
      throw corrupt(`an operation needing ${n} stack items`, this.opOffset);
    return this.stack.splice(this.stack.length - n, n);
  }

  private popMark(): PickleValue[] {
    const mark = this.marks.pop();
    if (mark === undefined) throw corrupt('a MARK-terminated operation without a MARK', this.opOffset);
    return this.stack.splice(mark, this.stack.length - mark);
  }

  private limit(what: string, max: number): TsnError {
    return new TsnError(
      'E_CKPT_TOO_LARGE',
      `the checkpoint exceeds the reader's limit of ${max} ${what} at byte ${this.opOffset}`,
      {
        context: { offset: this.opOffset, limit: max },
      },
    );
  }
}
