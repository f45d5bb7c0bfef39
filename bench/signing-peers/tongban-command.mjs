// For `npm run bench:signing`: runs one built `tongban` command module directly, without the CLI
// dispatcher (which imports every command, the whole server included, before running one). The
// gap between this and `node bin/tongban.js …` is the dispatcher's start-up cost.
// usage: node tongban-command.mjs sign|verify ARGS…
const [name, ...args] = process.argv.slice(2);
const { [name]: command } = await import(new URL(`../../dist/server/cli/commands/${name}.js`, import.meta.url).href);
process.exitCode = await command.run(args);
