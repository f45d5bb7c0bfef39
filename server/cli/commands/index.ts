// Every CLI command, in the order `tongban --help` lists them. Each group owns its own module.
import type { Command } from '../command.js';

export const commands: readonly Command[] = [];
