// mediasoup workers, one per core by default. Rooms are placed on the worker hosting the fewest
// routers. A worker that dies is replaced by a fresh one in the same slot; the rooms it hosted
// notice through their routers ('workerclose') and are rebuilt by the MediaService.
import { EventEmitter } from 'node:events';
import { cpus } from 'node:os';
import { defaultMedia } from '../../kernel/config.js';
import { loadMediasoup, type ms } from './engine.js';

export interface WorkerPoolOptions {
  readonly size?: number;
  readonly rtcMinPort?: number;
  readonly rtcMaxPort?: number;
  readonly logLevel?: ms.WorkerLogLevel;
}

export class WorkerPool extends EventEmitter<{ replaced: [dead: number, fresh: ms.Worker]; closed: [] }> {
  readonly #options: WorkerPoolOptions;
  readonly #slots: (ms.Worker | Promise<ms.Worker>)[] = [];
  readonly #load = new Map<ms.Worker, number>();
  #closed = false;

  private constructor(options: WorkerPoolOptions) {
    super();
    this.#options = options;
  }

  static async create(options: WorkerPoolOptions = {}): Promise<WorkerPool> {
    const pool = new WorkerPool(options);
    const size = Math.max(1, options.size ?? cpus().length);
    for (let i = 0; i < size; i++) pool.#slots.push(await pool.#spawn(i));
    return pool;
  }

  /** The least-loaded live worker (waits for a replacement if one is being started). */
  async pick(): Promise<ms.Worker> {
    const workers = await Promise.all(this.#slots);
    const live = workers.filter((w) => !w.closed);
    const best = live.sort((a, b) => (this.#load.get(a) ?? 0) - (this.#load.get(b) ?? 0))[0];
    if (!best) throw new Error('no live mediasoup worker');
    this.#load.set(best, (this.#load.get(best) ?? 0) + 1);
    return best;
  }

  release(worker: ms.Worker): void {
    this.#load.set(worker, Math.max(0, (this.#load.get(worker) ?? 1) - 1));
  }

  async workers(): Promise<ms.Worker[]> {
    return Promise.all(this.#slots);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const slot of this.#slots) void Promise.resolve(slot).then((w) => w.close());
    this.emit('closed');
  }

  async #spawn(slot: number): Promise<ms.Worker> {
    const mediasoup = await loadMediasoup();
    const worker = await mediasoup.createWorker({
      logLevel: this.#options.logLevel ?? 'error',
      rtcMinPort: this.#options.rtcMinPort ?? defaultMedia.rtcMinPort,
      rtcMaxPort: this.#options.rtcMaxPort ?? defaultMedia.rtcMaxPort,
    });
    worker.on('died', () => {
      this.#load.delete(worker);
      if (this.#closed) return;
      const fresh = this.#respawn(slot);
      this.#slots[slot] = fresh;
      void fresh.then((w) => {
        this.#slots[slot] = w;
        this.emit('replaced', worker.pid, w);
      });
    });
    return worker;
  }

  /** Keeps trying (once a second) until the slot has a worker again. */
  async #respawn(slot: number): Promise<ms.Worker> {
    for (;;) {
      try {
        return await this.#spawn(slot);
      } catch {
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  }
}
