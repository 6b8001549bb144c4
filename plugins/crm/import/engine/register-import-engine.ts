/** Binds the import service and its reader, and defines the import and undo jobs and the CLI command. */
import { ContainerModule, type PluginContext } from '../../../../host/api.js';
import { ImportTokens } from '../import-contract.js';
import { fileReader } from './file-reader.js';
import { registerImportCli } from './import-cli.js';
import { IMPORT_JOB, ImportInternalTokens, ImportServiceImpl, UNDO_JOB } from './import-service.js';

export function registerImportEngine(ctx: PluginContext): void {
  ctx.bind(
    new ContainerModule(({ bind }) => {
      bind(ImportInternalTokens.Reader).toConstantValue(fileReader);
      bind(ImportTokens.Service).to(ImportServiceImpl).inSingletonScope();
    }),
  );
  const service = () => ctx.get<ImportServiceImpl>(ImportTokens.Service);
  ctx.job<{ importId: number }>(IMPORT_JOB, (job) => service().execute(job.payload.importId, job));
  ctx.job<{ importId: number }>(UNDO_JOB, (job) => service().executeUndo(job.payload.importId, job));
  registerImportCli(ctx);
}
