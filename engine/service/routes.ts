/**
 * Which service method answers which protocol method. The mapped type makes a method of
 * engine/protocol/methods.ts without a route (or a route with the wrong types) a compile error.
 */
import type { MethodName, ResultOf } from '../protocol/api.js';
import type { KinscanService, ParamsIn } from './service.js';

export type Routes = { [M in MethodName]: (params: ParamsIn<M>) => ResultOf<M> | Promise<ResultOf<M>> };

export function serviceRoutes(s: KinscanService): Routes {
  return {
    'app.ping': () => s.ping(),
    'project.create': (p) => s.createProject(p),
    'project.open': (p) => s.openProject(p),
    'project.close': (p) => s.closeProject(p),
    'project.recent': () => s.recentProjects(),
    'project.openExample': () => s.openExample(),
    'project.info': () => s.projectInfo(),
    'data.preview': (p) => s.previewData(p),
    'data.addGenotypes': (p) => s.addGenotypes(p),
    'data.addSheet': (p) => s.addSheet(p),
    'data.addKinship': (p) => s.addKinship(p),
    'data.addPedigree': (p) => s.addPedigree(p),
    'data.list': () => s.listData(),
    'data.matching': (p) => s.idMatching(p),
    'qc.preview': (p) => s.qcPreview(p),
    'relatedness.pcs': (p) => s.pcs(p),
    'relatedness.overview': (p) => s.relatednessOverview(p),
    'relatedness.scene': (p) => s.relatednessScene(p),
    'runs.start': (p) => s.startRun(p),
    'runs.list': () => s.listRuns(),
    'runs.get': (p) => s.getRun(p),
    'runs.cancel': (p) => s.cancelRun(p),
    'runs.resume': (p) => s.resumeRun(p),
    'runs.delete': (p) => s.deleteRun(p),
    'results.manhattan': (p) => s.manhattan(p),
    'results.qq': (p) => s.qq(p),
    'results.hits': (p) => s.hits(p),
    'results.snp': (p) => s.snp(p),
    'results.region': (p) => s.region(p),
    'results.finemap': (p) => s.finemap(p),
    'results.heritability': (p) => s.heritability(p),
    'results.compare': (p) => s.compare(p),
    'figures.scene': (p) => s.figureScene(p),
    'export.table': (p) => s.exportTable(p),
    'export.figure': (p) => s.exportFigure(p),
    'export.report': (p) => s.exportReport(p),
    'files.list': (p) => s.listFiles(p),
    'files.upload': (p) => s.uploadFile(p),
  };
}
