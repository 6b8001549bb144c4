/** `npm start`: boot the host, listen, and print where to sign in. */
import { createHost } from './boot.js';
import { ConfigError, loadConfig } from './config/load-config.js';
import { applyHeapGrowth } from './runtime/heap.js';

async function main(): Promise<void> {
  const config = loadConfig();
  applyHeapGrowth(config.heapGrowthPercent);
  const host = await createHost({ config });
  const { app, logger } = host;
  const server = app!.listen(config.port, () => {
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    const url = `http://localhost:${port}/`;
    logger.info({ url }, 'CRM is listening');
    console.log(`\n  CRM is running at ${url}\n  Sign in as ${config.adminEmail} / ${process.env.CRM_ADMIN_PASSWORD ? '(the password in CRM_ADMIN_PASSWORD)' : config.adminPassword}\n`);
  });
  const shutdown = async (signal: string) => {
    logger.info({ signal }, 'shutting down');
    server.close();
    await host.stop();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((err) => {
  if (err instanceof ConfigError) console.error(err.message);
  else console.error(err);
  process.exit(1);
});
