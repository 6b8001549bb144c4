/**
 * Where a mysql:// DATABASE_URL connects: host and port, or the server's Unix socket when the URL
 * names one (`?socket=…`); replicas in DATABASE_READ_URLS choose for themselves. The connections
 * themselves are checked when the suite runs on MariaDB (CRM_TEST_DATABASE_URL).
 */
import { expect } from 'chai';
import pino from 'pino';
import { QueryTypes, type Sequelize } from 'sequelize';
import { createDatabase, mysqlConnection } from '../../host/db/create-database.js';
import { createMysqlDatabase } from '../support/test-database.js';

describe('Database URL', () => {
  it('connects by host and port, with the user and password decoded', () => {
    expect(mysqlConnection('mysql://crm%40app:p%3Ass@db.example.org:3307/crm')).to.deep.equal({ host: 'db.example.org', port: 3307, username: 'crm@app', password: 'p:ss' });
    expect(mysqlConnection('mariadb://root@127.0.0.1/crm'), 'the default port').to.deep.equal({ host: '127.0.0.1', port: 3306, username: 'root', password: '' });
  });

  it('connects through the Unix socket the URL names', () => {
    expect(mysqlConnection('mysql://root@localhost/crm?socket=/run/mysqld/mysqld.sock')).to.deep.equal({
      host: 'localhost',
      port: 3306,
      username: 'root',
      password: '',
      socketPath: '/run/mysqld/mysqld.sock',
    });
  });

  describe('on MariaDB', function () {
    const serverUrl = process.env.CRM_TEST_DATABASE_URL;
    let tcpUrl: string;
    let socketUrl: string;
    let remove: () => Promise<void>;
    const open: Sequelize[] = [];
    const logger = pino({ level: 'silent' });

    /** How the server sees this query's connection: `localhost` through the socket, `address:port` over TCP. */
    const peer = async (db: Sequelize, options: { useMaster?: boolean } = {}) => {
      const run = (sql: string) => db.query<{ h: string }>(sql, { type: QueryTypes.SELECT });
      const sql = 'SELECT HOST AS h FROM information_schema.PROCESSLIST WHERE ID = CONNECTION_ID()';
      const [row] = options.useMaster ? await db.transaction(() => run(sql)) : await run(sql);
      return row!.h;
    };

    before(async function () {
      if (!serverUrl) return this.skip();
      const created = await createMysqlDatabase(serverUrl);
      remove = created.remove;
      tcpUrl = created.url;
      const probe = await createDatabase(tcpUrl, logger);
      const [{ socket }] = await probe.query<{ socket: string }>('SELECT @@socket AS socket', { type: QueryTypes.SELECT });
      await probe.close();
      const url = new URL(tcpUrl);
      url.searchParams.set('socket', socket);
      socketUrl = url.toString();
    });

    after(async () => {
      for (const db of open) await db.close();
      await remove?.();
    });

    it('talks over TCP without a socket, and through the socket with one', async () => {
      const tcp = await createDatabase(tcpUrl, logger);
      const local = await createDatabase(socketUrl, logger);
      open.push(tcp, local);
      expect(await peer(tcp)).to.match(/:\d+$/);
      expect(await peer(local)).to.equal('localhost');
    });

    it("gives a replica without a socket a TCP connection, not the main URL's socket", async () => {
      const db = await createDatabase(socketUrl, logger, [tcpUrl]);
      open.push(db);
      expect(await peer(db), 'a read goes to the replica').to.match(/:\d+$/);
      expect(await peer(db, { useMaster: true }), 'a transaction goes to DATABASE_URL').to.equal('localhost');
    });
  });
});
