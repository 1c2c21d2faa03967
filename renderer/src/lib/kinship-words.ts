/**
 * A kinship setting in words, the same on every screen: the built-in modes, a matrix from a file,
 * or a pedigree's numerator relationship matrix A with its size and inbreeding ("the pedigree's
 * relationship matrix A (herd.ped, 144 animals, 34 inbred)"), and how a run's individuals and
 * observations read when the sheet has repeated measures.
 */
import type { ProjectInfo } from '../../../engine/protocol/methods.js';
import type { ScanSettingsInput } from '../../../engine/protocol/settings.js';

type Matrix = ProjectInfo['matrices'][number];
type Kinship = NonNullable<ScanSettingsInput['kinship']>;
export type PedigreeFacts = NonNullable<Matrix['pedigree']>;

const fmt = (n: number): string => n.toLocaleString('en-US');
const baseName = (p: string): string => p.split(/[\\/]/).pop() ?? p;

/** The stored A a pedigree setting stands for over a dataset (data.addPedigree made it), if any. */
export function pedigreeMatrix(matrices: readonly Matrix[], kinship: Kinship, datasetId: number | null): Matrix | null {
  if (typeof kinship !== 'object' || !('pedigree' in kinship)) return null;
  const founders = kinship.unlistedFounders === true;
  return matrices.find((m) => m.pedigree && m.path === kinship.pedigree && m.pedigree.datasetId === datasetId && m.pedigree.unlistedFounders === founders) ?? null;
}

/** "144 animals, 34 inbred" (with the unlisted individuals taken as founders, when any). */
export function pedigreeSize(p: PedigreeFacts): string {
  const unlisted = p.unlisted > 0 ? `, ${fmt(p.unlisted)} genotyped individual${p.unlisted === 1 ? '' : 's'} not in it taken as unrelated founders` : '';
  return `${fmt(p.animals)} animal${p.animals === 1 ? '' : 's'}, ${fmt(p.inbred)} inbred${unlisted}`;
}

/** The kinship as a phrase; `matrix` is the stored matrix of a file or pedigree setting (null when unknown). */
export function kinshipWords(kinship: Kinship, matrix: Matrix | null): string {
  if (kinship === 'centered') return 'centered (GEMMA -gk 1)';
  if (kinship === 'standardized') return 'standardized (GEMMA -gk 2)';
  if ('file' in kinship) return `from the file ${matrix?.name ?? baseName(kinship.file)}`;
  const name = matrix?.name ?? baseName(kinship.pedigree);
  return `the pedigree’s relationship matrix A (${name}${matrix?.pedigree ? `, ${pedigreeSize(matrix.pedigree)}` : ''})`;
}

/** What a run's relatedness term is, for sentences about the fit: "the pedigree's relationship matrix A" etc. */
export function relatednessSource(kinship: Kinship): 'snps' | 'file' | 'pedigree' {
  return typeof kinship !== 'object' ? 'snps' : 'pedigree' in kinship ? 'pedigree' : 'file';
}

/** "72 individuals, 188 observations (repeated measures)", or "72 individuals". */
export function analysedWords(individuals: number, repeated?: { individuals: number; observations: number }): string {
  if (repeated) return `${fmt(repeated.individuals)} individuals, ${fmt(repeated.observations)} observations (repeated measures)`;
  return `${fmt(individuals)} individuals`;
}
