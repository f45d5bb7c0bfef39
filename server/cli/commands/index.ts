// Every CLI command, in the order `tongban --help` lists them. Each group owns its own module.
import type { Command } from '../command.js';
import { pkiCommands } from './pki.js';
import { auditVerify } from './audit.js';
import { demo } from './demo.js';
import { evidenceCommands } from './evidence.js';
import { serve } from './serve.js';
import { recordVerify } from './record.js';
import { sign } from './sign.js';
import { verify } from './verify.js';

export const commands: readonly Command[] = [...pkiCommands, demo, serve, auditVerify, recordVerify, ...evidenceCommands, sign, verify];
