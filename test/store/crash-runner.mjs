// Test helper, run as a child process: starts a scan into a project and kills itself (SIGKILL, no
// cleanup of any kind) right after block number KILL_AFTER has been committed.
// Usage: node crash-runner.mjs PROJECT BFILE PHENO TRAIT MODEL KILL_AFTER
import { Project } from '../../dist/engine/store/project.js';
import { DEFAULT_SETTINGS } from '../../dist/engine/scan/settings.js';

const [project, bfile, pheno, trait, model, killAfter] = process.argv.slice(2);
const p = Project.open(project, { create: true, command: 'crash-runner' });
const id = p.createRun({ ...DEFAULT_SETTINGS, bfile, pheno, trait, model });
process.stdout.write(`run ${id}\n`);
let blocks = 0;
await p.runScan(id, {
  progress: (stage) => {
    if (stage === 'scan' && ++blocks === Number(killAfter)) process.kill(process.pid, 'SIGKILL');
  },
});
process.stdout.write('finished without being killed\n');
