// NATS subject builders. Subjects are part of the public contract (docs/asyncapi.yaml): consumers subscribe
// with wildcards on them, so a camera or label name must never add a token or act as a wildcard.
import { TsnError } from '../errors/index.js';

export const DEFAULT_SUBJECT_PREFIX = 'actions';

// Dots split tokens, '*' and '>' are wildcards, whitespace and control characters end the subject in the
// protocol; '$' is not forbidden by NATS but leading '$' marks system subjects ($JS, $SYS).
const UNSAFE_TOKEN_CHARS = /[.*>\s\p{Cc}\p{Cf}$]/gu;

/** Maps any string to one safe subject token: unsafe characters become '_', the empty string becomes '_'. */
export function sanitizeToken(value: string): string {
  const token = value.replace(UNSAFE_TOKEN_CHARS, '_');
  return token.length === 0 ? '_' : token;
}

/**
 * Validates a subject prefix (one or more dot-separated tokens, e.g. 'actions' or 'site1.actions').
 * Unlike camera names the prefix comes from configuration, so it is rejected rather than rewritten.
 */
export function validatePrefix(prefix: string): string {
  const tokens = prefix.split('.');
  const bad = tokens.find((t) => t.length === 0 || sanitizeToken(t) !== t);
  if (bad !== undefined) {
    throw new TsnError(
      'E_CONFIG',
      `NATS subject prefix "${prefix}" is invalid: use dot-separated tokens without spaces, '*', '>' or '$' (e.g. "actions")`,
      { context: { prefix } },
    );
  }
  return prefix;
}

export interface SubjectBuilder {
  readonly prefix: string;
  event(camera: string, label: string): string;
  prediction(camera: string): string;
  status(camera: string): string;
  /** Wildcard covering every event subject: the default JetStream stream subject. */
  readonly allEvents: string;
}

export function createSubjects(prefix: string = DEFAULT_SUBJECT_PREFIX): SubjectBuilder {
  const p = validatePrefix(prefix);
  return {
    prefix: p,
    event: (camera, label) => `${p}.events.${sanitizeToken(camera)}.${sanitizeToken(label)}`,
    prediction: (camera) => `${p}.predictions.${sanitizeToken(camera)}`,
    status: (camera) => `${p}.status.${sanitizeToken(camera)}`,
    allEvents: `${p}.events.>`,
  };
}
