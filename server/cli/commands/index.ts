// Every CLI command, in the order `tongban --help` lists them. Modules load only when their command
// runs: `tongban sign` does not pay for the server's imports, and one broken module cannot break
// the others.
import type { Command } from '../command.js';

export interface CommandEntry {
  readonly group?: string;
  readonly name: string;
  load(): Promise<Command>;
}

export const commands: readonly CommandEntry[] = [
  { group: 'pki', name: 'init', load: async () => (await import('./pki.js')).pkiInit },
  { group: 'pki', name: 'enrolment-code', load: async () => (await import('./pki.js')).pkiEnrolmentCode },
  { group: 'pki', name: 'enrol', load: async () => (await import('./pki.js')).pkiEnrol },
  { group: 'pki', name: 'revoke', load: async () => (await import('./pki.js')).pkiRevoke },
  { group: 'pki', name: 'export-root', load: async () => (await import('./pki.js')).pkiExportRoot },
  { name: 'demo', load: async () => (await import('./demo.js')).demo },
  { name: 'serve', load: async () => (await import('./serve.js')).serve },
  { group: 'audit', name: 'verify', load: async () => (await import('./audit.js')).auditVerify },
  { group: 'record', name: 'verify', load: async () => (await import('./record.js')).recordVerify },
  { group: 'evidence', name: 'export', load: async () => (await import('./evidence.js')).evidenceExport },
  { group: 'evidence', name: 'verify', load: async () => (await import('./evidence.js')).evidenceVerify },
  { name: 'sign', load: async () => (await import('./sign.js')).sign },
  { name: 'verify', load: async () => (await import('./verify.js')).verify },
];

/** Commands that are gone, with what to do instead (a bare "unknown command" would leave the operator guessing). */
export const retiredCommands: Readonly<Record<string, string>> = {
  'pki issue':
    'pki issue is gone: the operator no longer chooses a PIN; run `tongban pki enrolment-code --user ID` and give the code to the user, who runs `tongban pki enrol --user ID --code CODE`',
};
