import { NalType, nalType } from './annexb.js';

export interface AccessUnit {
  readonly nals: readonly Buffer[];
  readonly isKeyframe: boolean;
}

/**
 * Groups NAL units into access units (one picture each) following the first-slice rule of H.264 7.4.1.2.3:
 * once a picture has a slice, an AUD/SPS/PPS/SEI or a slice with first_mb_in_slice == 0 starts the next.
 * x264 may cut a picture into several slices (sliced threads), so slices alone do not mark pictures.
 */
export class AccessUnitGrouper {
  private current: Buffer[] = [];
  private hasSlice = false;

  push(nal: Buffer): AccessUnit | undefined {
    const completed = this.startsNewUnit(nal) ? this.take() : undefined;
    this.current.push(nal);
    if (isSlice(nal)) this.hasSlice = true;
    return completed;
  }

  flush(): AccessUnit | undefined {
    return this.hasSlice ? this.take() : undefined;
  }

  private startsNewUnit(nal: Buffer): boolean {
    if (!this.hasSlice) return false;
    const type = nalType(nal);
    if (type === NalType.aud || type === NalType.sps || type === NalType.pps || type === NalType.sei)
      return true;
    if (type >= 14 && type <= 18) return true;
    return isSlice(nal) && isFirstSliceOfPicture(nal);
  }

  private take(): AccessUnit {
    const nals = this.current;
    this.current = [];
    this.hasSlice = false;
    return { nals, isKeyframe: nals.some((n) => nalType(n) === NalType.idrSlice) };
  }
}

function isSlice(nal: Buffer): boolean {
  const type = nalType(nal);
  return type === NalType.nonIdrSlice || type === NalType.idrSlice;
}

// first_mb_in_slice is the first ue(v) of the slice header; the value 0 is coded as a single 1 bit.
function isFirstSliceOfPicture(nal: Buffer): boolean {
  return ((nal[1] ?? 0) & 0x80) !== 0;
}
