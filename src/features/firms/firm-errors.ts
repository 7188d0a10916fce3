/**
 * The errors a firm's use cases throw that callers act on (the board asks for what a refused move
 * needs; the register explains why a certificate's move was refused), apart from the service so
 * another feature can recognise them without importing the service itself.
 */
import type { MoveDecision, MoveInput } from '../../domain/transitions.js';
import { AppError, ConflictError } from '../../lib/errors.js';
import type { Firm } from './firms.queries.js';

const STALE_FIRM_MESSAGE = '该企业刚被他人修改过，你看到的已不是最新信息。已为你刷新，请确认后再操作。';

/** A move the rules refused; carries the decision so the board can ask for what is missing. */
export class MoveRefusedError extends AppError {
  constructor(
    readonly decision: Extract<MoveDecision, { ok: false }>,
    readonly firm: Firm,
    readonly input: MoveInput,
  ) {
    super(`MOVE_${decision.code}`, decision.message, decision.code === 'SAME_STAGE' ? 409 : 422);
  }
}

export class StaleFirmError extends ConflictError {
  constructor(readonly firm: Firm) {
    super('FIRM_STALE', STALE_FIRM_MESSAGE);
  }
}
