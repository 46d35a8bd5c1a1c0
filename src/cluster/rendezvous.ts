// Rendezvous (highest random weight) hashing: every instance computes the same preferred owner for a
// camera from the same list of live edges, without talking to anyone. When an edge joins, it becomes the
// preferred owner of about 1/N of the cameras and of no others; when one leaves, only its cameras move.

/** 32-bit FNV-1a over UTF-16 code units, then murmur3's finaliser to spread near-equal inputs. */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The edges ranked for a camera, most preferred first (ties broken by id so the order is total). */
export function rankOwners(cameraId: string, edges: readonly string[]): string[] {
  const scored = edges.map((edge) => ({ edge, score: hash32(`${cameraId}\u0000${edge}`) }));
  scored.sort((a, b) => b.score - a.score || (a.edge < b.edge ? -1 : a.edge > b.edge ? 1 : 0));
  return scored.map((s) => s.edge);
}

/** The preferred owner of a camera among the live edges, or undefined when there is none. */
export function preferredOwner(cameraId: string, edges: readonly string[]): string | undefined {
  return rankOwners(cameraId, edges)[0];
}
