// The embedded default token: SoftHSM2 (Debian's softhsm2) with its configuration and token
// directory under <dataDir>/hsm, created on first use so that a fresh data directory needs no
// set-up. The user PIN comes from TONGBAN_PKCS11_PIN or, for the demo, <dataDir>/hsm/user.pin
// (0600). A production deployment names its own HSM instead (config.pkcs11).
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
// The default import: the constants are not visible as ESM named exports of this CommonJS module.
import pkcs11js from 'pkcs11js';
import { Pkcs11Token, tokenLabelOf, withEnv } from './Pkcs11Token.js';

export const EMBEDDED_TOKEN_LABEL = 'tongban';

const SOFTHSM_MODULES = [
  '/usr/lib/softhsm/libsofthsm2.so',
  '/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so',
  '/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so',
  '/usr/local/lib/softhsm/libsofthsm2.so',
];

/** One open token per data directory per process (the server, its restarts and CLI commands in tests share it). */
const open = new Map<string, Pkcs11Token>();

export function softhsmModule(): string {
  const found = SOFTHSM_MODULES.find((p) => existsSync(p));
  if (!found) throw new Error('SoftHSM2 is not installed (run scripts/setup-system.sh: Debian package softhsm2)');
  return found;
}

export function hsmDir(dataDir: string): string {
  return join(dataDir, 'hsm');
}

export function openEmbeddedToken(dataDir: string, configuredPin?: string): Pkcs11Token {
  const dir = resolve(hsmDir(dataDir));
  const cached = open.get(dir);
  if (cached) return cached;
  const tokens = join(dir, 'tokens');
  mkdirSync(tokens, { recursive: true, mode: 0o700 });
  const conf = join(dir, 'softhsm2.conf');
  if (!existsSync(conf)) {
    writeFileSync(
      conf,
      `directories.tokendir = ${tokens}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n`,
      { mode: 0o600 },
    );
  }
  const pin = configuredPin ?? demoPin(dir);
  const initEnv = { SOFTHSM2_CONF: conf };
  const module = privateModuleCopy();
  try {
    ensureToken(module, initEnv, pin);
    const token = Pkcs11Token.open({ module, tokenLabel: EMBEDDED_TOKEN_LABEL, pin, initEnv });
    open.set(dir, token);
    return token;
  } finally {
    // dlopen keeps the mapping; the copy only has to exist while it is loaded.
    if (module !== softhsmModule()) rmSync(join(module, '..'), { recursive: true, force: true });
  }
}

/** Closes the embedded token of a data directory (tests that delete the directory). */
export function closeEmbeddedToken(dataDir: string): void {
  const dir = resolve(hsmDir(dataDir));
  open.get(dir)?.close();
  open.delete(dir);
}

function demoPin(dir: string): string {
  const file = join(dir, 'user.pin');
  if (!existsSync(file)) writeFileSync(file, randomBytes(16).toString('hex'), { mode: 0o600, flag: 'wx' });
  return readFileSync(file, 'utf8').trim();
}

/**
 * SoftHSM2 reads its configuration once per loaded library, so a second data directory in the
 * same process (tests) needs its own instance: a private copy of the module, which the dynamic
 * loader treats as another library.
 */
function privateModuleCopy(): string {
  const original = softhsmModule();
  if (open.size === 0) return original;
  const dir = mkdtempSync(join(tmpdir(), 'tongban-softhsm-'));
  const copy = join(dir, 'libsofthsm2.so');
  copyFileSync(original, copy);
  return copy;
}

/** Initialises the token and its user PIN the first time (the SO PIN is random and forgotten). */
function ensureToken(module: string, initEnv: Record<string, string>, pin: string): void {
  const p11 = new pkcs11js.PKCS11();
  p11.load(module);
  withEnv(initEnv, () => p11.C_Initialize());
  try {
    const labels = p11.C_GetSlotList(true).map((s) => tokenLabelOf(p11.C_GetTokenInfo(s)));
    if (labels.includes(EMBEDDED_TOKEN_LABEL)) return;
    const free = p11
      .C_GetSlotList(true)
      .find((s) => (p11.C_GetTokenInfo(s).flags & pkcs11js.CKF_TOKEN_INITIALIZED) === 0);
    if (!free) throw new Error('SoftHSM2: no free slot for the Tongban token');
    const soPin = randomBytes(16).toString('hex');
    p11.C_InitToken(free, soPin, EMBEDDED_TOKEN_LABEL);
    const slot = p11.C_GetSlotList(true).find((s) => tokenLabelOf(p11.C_GetTokenInfo(s)) === EMBEDDED_TOKEN_LABEL);
    if (!slot) throw new Error('SoftHSM2: the new token is not listed');
    const session = p11.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION | pkcs11js.CKF_RW_SESSION);
    p11.C_Login(session, pkcs11js.CKU_SO, soPin);
    p11.C_InitPIN(session, pin);
    p11.C_Logout(session);
    p11.C_CloseSession(session);
  } finally {
    p11.C_Finalize();
    p11.close();
  }
}
