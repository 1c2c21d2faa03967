/**
 * A run's results in GEMMA 0.98's `-lmm 2` `.assoc.txt` layout, so scripts written for GEMMA read
 * it unchanged: its header, column order and number formats (af `%.3f`; logl_H1, l_mle and p_lrt
 * `%.6e`, printed as C prints them).
 *
 *   chr rs ps n_miss allele1 allele0   as the .bim (allele1 is the counted allele, af its frequency)
 *   logl_H1   the ML log-likelihood of the alternative model
 *   l_mle     GEMMA's lambda = sigma_a^2 / sigma_e^2 at the alternative's ML fit, i.e. 1 / delta_h1
 *             (docs/model.md: delta = sigma_e^2 / sigma_a^2)
 *   p_lrt     the p-value of the run's likelihood-ratio test. For an additive run this is GEMMA's
 *             1-df test. For an add-dom run it is the 2-df (additive + dominance) test, which GEMMA
 *             does not have: the column keeps GEMMA's name but holds that 2-df p-value.
 * p is kept in log space by the engine, so a p-value below the double range prints with its true
 * exponent (1.234567e-350) where GEMMA would print 0.
 */
import { loadBim } from '../../store/datasets.js';
import type { Project } from '../../store/project.js';
import { readRows } from '../../store/results.js';
import { formatExpC, formatFixedC, formatLnPC } from './c-format.js';
import { writeTextFile } from '../../io/atomic-write.js';

export const GEMMA_HEADER = 'chr\trs\tps\tn_miss\tallele1\tallele0\taf\tlogl_H1\tl_mle\tp_lrt';

/** Write the run's stored rows to `out` as a GEMMA `-lmm 2` .assoc.txt. Returns the rows written. */
export function writeRunGemma(project: Project, runId: number, out: string): number {
  const run = project.run(runId);
  const bim = loadBim(project.db, run.datasetId);
  let rows = 0;
  writeTextFile(out, (write) => {
    write(GEMMA_HEADER + '\n');
    for (const r of readRows(project.db, runId)) {
      const j = r.snp;
      write(
        `${bim.chr[j]}\t${bim.rs[j]}\t${bim.pos[j]}\t${r.nMiss}\t${bim.allele1[j]}\t${bim.allele0[j]}\t` +
          `${formatFixedC(r.af, 3)}\t${formatExpC(r.loglH1, 6)}\t${formatExpC(1 / r.deltaH1, 6)}\t${formatLnPC(r.lnP, 6)}\n`,
      );
      rows++;
    }
  });
  return rows;
}
