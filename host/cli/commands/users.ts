/** `crm users add|list`: accounts from the command line (the first admin, service accounts). */
import type { Command } from 'commander';
import { TOKENS, type GroupRecord, type GroupsService, type UsersService } from '../../api.js';
import { withHost } from '../cli-host.js';
import { CliError } from '../errors.js';
import { table } from '../output.js';

interface AddOptions {
  email: string;
  name: string;
  password: string;
  group?: string[];
  admin?: boolean;
}

const ADMINISTRATORS = 'Administrators';

async function groupIds(groups: GroupsService, names: string[], admin: boolean): Promise<GroupRecord[]> {
  const all = await groups.list();
  const picked: GroupRecord[] = [];
  for (const name of names) {
    const group = all.find((g) => g.name === name);
    if (!group) throw new CliError(`There is no group "${name}". Groups: ${all.map((g) => g.name).join(', ') || '(none)'}`);
    picked.push(group);
  }
  if (admin) {
    picked.push(all.find((g) => g.name === ADMINISTRATORS) ?? all.find((g) => g.isAdmin) ?? (await groups.create({ name: ADMINISTRATORS, isAdmin: true })));
  }
  return [...new Map(picked.map((g) => [g.id, g])).values()];
}

export function registerUsers(program: Command): void {
  const users = program.command('users').description('add and list user accounts');

  users
    .command('add')
    .description('create a user account')
    .requiredOption('--email <email>', 'sign-in email')
    .requiredOption('--name <name>', 'display name')
    .requiredOption('--password <password>', 'password (at least 8 characters)')
    .option('--group <name...>', 'add to these groups (by name)')
    .option('--admin', `add to the ${ADMINISTRATORS} group`)
    .action((options: AddOptions) =>
      withHost(async (host) => {
        if (!/^[^\s@]+@[^\s@]+$/.test(options.email)) throw new CliError(`Not an email address: "${options.email}"`);
        if (!options.name.trim()) throw new CliError('The name must not be empty');
        const groups = await groupIds(host.services.get<GroupsService>(TOKENS.Groups), options.group ?? [], Boolean(options.admin));
        const user = await host.services.get<UsersService>(TOKENS.Users).create({
          email: options.email,
          name: options.name,
          password: options.password,
          groups: groups.map((g) => g.id),
        });
        const where = groups.length ? ` in ${groups.map((g) => g.name).join(', ')}` : '';
        console.log(`User #${user.id} ${user.email} (${user.name}) created${where}.`);
      }),
    );

  users
    .command('list')
    .description('every account with its groups')
    .action(() =>
      withHost(async (host) => {
        const groups = new Map((await host.services.get<GroupsService>(TOKENS.Groups).list()).map((g) => [g.id, g.name]));
        const list = await host.services.get<UsersService>(TOKENS.Users).list();
        if (!list.length) return void console.log('No users.');
        const rows = list.map((u) => [String(u.id), u.email, u.name, u.isActive ? 'yes' : 'no', u.groupIds.map((id) => groups.get(id) ?? `#${id}`).join(', ')]);
        console.log(table(['ID', 'EMAIL', 'NAME', 'ACTIVE', 'GROUPS'], rows));
      }),
    );
}
