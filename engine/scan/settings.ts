/**
 * A scan's settings: the type and defaults of the one settings schema (engine/protocol/settings.ts),
 * re-exported for the engine, with the genetic model's name.
 */
import type { FitMethod } from '../stats/lmm/fit.js';
import type { ScanSettings } from '../protocol/settings.js';
import type { EffectPrior } from '../stats/bayes/prior.js';

export { DEFAULT_SETTINGS, scanSettingsSchema, type ScanSettings, type ScanSettingsInput } from '../protocol/settings.js';

/** The genetic model tested at each SNP. */
export type GeneticModel = ScanSettings['model'];

// The schema's methods are exactly the fitter's.
const sameMethods: [ScanSettings['method'], FitMethod] extends [FitMethod, ScanSettings['method']] ? true : never = true;
void sameMethods;

/** The Bayes factors' prior on a SNP's effects, from the settings. */
export function effectPrior(settings: ScanSettings): EffectPrior {
  return { sigmaA: settings.bayes.priorSd, dominanceRatio: settings.bayes.dominanceRatio };
}
