// Face detection, description and head pose with @vladmandic/human (issue 15 §3), run in this
// process on TensorFlow.js's WebAssembly backend: @tensorflow/tfjs-node would download libtensorflow
// at install time, while the wasm backend ships its .wasm files in its npm package and human ships
// its models in its own. Nothing is fetched at run time: the models are read from node_modules
// through a file:// load router, the .wasm from the backend's dist folder.
// Images are decoded to RGB by ffmpeg (already needed by the recorder), so no image library is added.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** What one image shows of its (most confident) face. */
export interface FaceReading {
  readonly found: boolean;
  /** Detector confidence 0..1 (0 without a face). */
  readonly confidence: number;
  /** Head pose in radians (0 without a face); yaw > 0 is the head turned to its left. */
  readonly yaw: number;
  readonly pitch: number;
  /** Eye opening (lid gap over eye height, mesh points as in human's blink gesture); null without a face. */
  readonly eyeOpen: number | null;
  /** The face description vector (faceres); null without a face. */
  readonly embedding: readonly number[] | null;
  readonly faces: number;
  readonly ms: number;
}

export interface FaceModel {
  /** e.g. "@vladmandic/human 3.3.6 (blazeface+facemesh+iris+faceres, tfjs 4.22.0 wasm)" */
  readonly name: string;
  readonly version: string;
}

/** The parts of human's API used here (its bundled typings pull in all of tfjs). */
interface HumanFace {
  score: number;
  embedding?: number[];
  mesh: [number, number, number?][];
  rotation?: { angle: { yaw: number; pitch: number; roll: number } } | null;
}
interface HumanTensor {
  dispose(): void;
}
interface Tf {
  version_core: string;
  getBackend(): string;
  tensor3d(values: Uint8Array, shape: [number, number, number], dtype: 'int32'): HumanTensor;
  io: {
    registerLoadRouter(router: (url: string | string[]) => unknown): void;
    getModelArtifactsForJSON(
      json: unknown,
      loadWeights: (manifest: { paths: string[]; weights: unknown[] }[]) => Promise<[unknown[], ArrayBuffer]>,
    ): Promise<unknown>;
  };
}
interface Human {
  version: string;
  tf: Tf;
  load(): Promise<void>;
  warmup(): Promise<unknown>;
  detect(input: HumanTensor): Promise<{ face: HumanFace[]; error?: string | null }>;
  match: { similarity(a: number[], b: number[]): number };
}

/** Width images are scaled to before detection: enough for an ID portrait in a 720p frame. */
const DECODE_WIDTH = 960;

/** Mesh points of the upper and lower lid and of the eye's box, as human's own blink gesture uses. */
const EYES = [
  { lids: [374, 386], box: [443, 450] },
  { lids: [145, 159], box: [223, 230] },
] as const;

export class FaceEngine {
  #human: Promise<Human> | undefined;
  /** One image at a time: the wasm backend computes on this thread. */
  #queue: Promise<unknown> = Promise.resolve();
  readonly #ffmpeg: string;

  constructor(options: { readonly ffmpegBin?: string } = {}) {
    this.#ffmpeg = options.ffmpegBin ?? 'ffmpeg';
  }

  /** Loads the models on first use (about a second), not at server start. */
  async model(): Promise<FaceModel> {
    const human = await this.#load();
    return {
      name: `@vladmandic/human ${human.version} (blazeface+facemesh+iris+faceres, tfjs ${human.tf.version_core} ${human.tf.getBackend()})`,
      version: human.version,
    };
  }

  /** Reads the most confident face of a JPEG or PNG. */
  read(image: Uint8Array): Promise<FaceReading> {
    const run = this.#queue.then(() => this.#read(image));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** human's similarity of two descriptions, 0..1 (its default normalisation). */
  async similarity(a: readonly number[], b: readonly number[]): Promise<number> {
    return (await this.#load()).match.similarity([...a], [...b]);
  }

  async #read(image: Uint8Array): Promise<FaceReading> {
    const human = await this.#load();
    const { rgb, width, height } = await this.#decode(image);
    const started = performance.now();
    const tensor = human.tf.tensor3d(rgb, [height, width, 3], 'int32');
    let result: Awaited<ReturnType<Human['detect']>>;
    try {
      result = await human.detect(tensor);
    } finally {
      tensor.dispose();
    }
    const ms = Math.round(performance.now() - started);
    if (result.error) throw new Error(`face detection failed: ${result.error}`);
    const face = [...result.face].sort((x, y) => y.score - x.score)[0];
    if (!face) return { found: false, confidence: 0, yaw: 0, pitch: 0, eyeOpen: null, embedding: null, faces: 0, ms };
    return {
      found: true,
      confidence: face.score,
      yaw: face.rotation?.angle.yaw ?? 0,
      pitch: face.rotation?.angle.pitch ?? 0,
      eyeOpen: eyeOpening(face.mesh),
      embedding: face.embedding?.length ? face.embedding : null,
      faces: result.face.length,
      ms,
    };
  }

  #decode(image: Uint8Array): Promise<{ rgb: Uint8Array; width: number; height: number }> {
    const args = ['-hide_banner', '-loglevel', 'error', '-nostdin', '-i', 'pipe:0', '-frames:v', '1'];
    args.push('-vf', `scale=${DECODE_WIDTH}:-2`, '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1');
    return new Promise((resolve, reject) => {
      const child = execFile(
        this.#ffmpeg,
        args,
        { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024, timeout: 30_000 },
        (err, out, stderr) => {
          const height = out.length / (DECODE_WIDTH * 3);
          if (err || !Number.isInteger(height) || height === 0)
            reject(
              new Error(`the image could not be decoded: ${String(stderr).trim() || err?.message || 'no pixels'}`),
            );
          else resolve({ rgb: new Uint8Array(out.buffer, out.byteOffset, out.length), width: DECODE_WIDTH, height });
        },
      );
      child.stdin?.end(image);
    });
  }

  #load(): Promise<Human> {
    this.#human ??= loadHuman().catch((err: unknown) => {
      this.#human = undefined;
      throw err;
    });
    return this.#human;
  }
}

function eyeOpening(mesh: HumanFace['mesh']): number | null {
  if (mesh.length < 468) return null;
  const y = (i: number) => mesh[i]![1];
  const ratios = EYES.map(
    ({ lids, box }) => Math.abs(y(lids[0]) - y(lids[1])) / (Math.abs(y(box[0]) - y(box[1])) || 1),
  );
  return Math.min(...ratios);
}

async function loadHuman(): Promise<Human> {
  const require = createRequire(import.meta.url);
  // human's package exports name no subpath for its wasm build: find it beside the main entry.
  const dist = dirname(require.resolve('@vladmandic/human'));
  const models = join(dist, '..', 'models');
  const wasmDir = dirname(require.resolve('@tensorflow/tfjs-backend-wasm'));
  const { Human } = require(join(dist, 'human.node-wasm.js')) as {
    Human: new (config: Record<string, unknown>) => Human;
  };
  const human = new Human({
    backend: 'wasm',
    wasmPath: `${wasmDir}/`,
    modelBasePath: `file://${models}/`,
    debug: false,
    cacheModels: false,
    face: {
      enabled: true,
      detector: { rotation: true, maxDetected: 4, minConfidence: 0.3, return: false },
      mesh: { enabled: true },
      iris: { enabled: true },
      description: { enabled: true },
      emotion: { enabled: false },
      antispoof: { enabled: false },
      liveness: { enabled: false },
      attention: { enabled: false },
      gear: { enabled: false },
    },
    body: { enabled: false },
    hand: { enabled: false },
    object: { enabled: false },
    gesture: { enabled: false },
    segmentation: { enabled: false },
    filter: { enabled: false },
  });
  // Node's fetch has no file:// scheme: models load from disk through this router instead.
  human.tf.io.registerLoadRouter((url) =>
    typeof url === 'string' && url.startsWith('file://') ? fileModel(human.tf, url.slice('file://'.length)) : null,
  );
  await human.load();
  await human.warmup();
  return human;
}

function fileModel(tf: Tf, file: string) {
  return {
    load: () =>
      tf.io.getModelArtifactsForJSON(JSON.parse(readFileSync(file, 'utf8')), async (manifest) => {
        const specs = manifest.flatMap((group) => group.weights);
        const data = Buffer.concat(
          manifest.flatMap((group) => group.paths.map((p) => readFileSync(join(dirname(file), p)))),
        );
        return [specs, data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer];
      }),
  };
}
