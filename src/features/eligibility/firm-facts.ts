/** Maps the stored annual figures onto the rules module's input shape. */
import type { YearFigures } from '../../domain/eligibility/index.js';
import type { AnnualFigures } from '../figures/figures.queries.js';

export function yearFiguresOf(f: AnnualFigures): YearFigures {
  const { id: _id, firmId: _firmId, version: _version, updatedAt: _updatedAt, ...figures } = f;
  return figures;
}
