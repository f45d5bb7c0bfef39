// The auditor's timeline of a record (issue 16 §2): what happened when, as offsets into the
// composite playback video. The composite starts at the recording's start (each participant's tile
// is delayed to when their recording began, CompositeJob), so an event at wall-clock time T sits at
// T − recording.startedAt; a snapshot's offset is the one chained into the recording with it.
// And the spans a redacted copy blurs: around each ID snapshot and any window marked as showing the ID.
import type { RecordTimeline, TimelineMark, TimelineMarkKind } from '../../../protocol/http/records.js';
import type { PresenceEvent, Session } from '../sessions/index.js';
import type { FlowDocument } from '../documents/index.js';

/** How long before and after an ID snapshot the card is taken to be in view (it is held up, then put away). */
export const ID_WINDOW_MARGIN_MS = 5_000;

export interface TimelineSources {
  readonly recordId: string;
  readonly session: Session | undefined;
  readonly documents: readonly FlowDocument[];
  readonly presence: readonly { readonly id: string; readonly event: PresenceEvent; readonly at: string }[];
  readonly recording:
    | {
        readonly startedAt: string;
        readonly links: readonly {
          readonly index: number;
          /** Whose folder the link is in (a screen share's marks: the sharer's). */
          readonly participant?: string;
          readonly track: string;
          readonly startMs: number;
          readonly endMs: number;
        }[];
      }
    | undefined;
}

const presenceKind: Record<PresenceEvent, TimelineMarkKind> = { joined: 'join', left: 'leave', consented: 'consent' };
/** Chain links that are not media: snapshots, the 意愿确认 script's prompts and answers, materials (issue 15). */
const snapshotKind: Readonly<Record<string, TimelineMarkKind>> = {
  'snapshot:face': 'snapshot_face',
  'snapshot:id': 'snapshot_id',
  'entry:script-prompt': 'script_prompt',
  'entry:script-answer': 'script_answer',
  'entry:material-upload': 'material',
  'snapshot:material': 'material',
  'entry:screen-share-start': 'screen_share_start',
  'entry:screen-share-stop': 'screen_share_stop',
  'entry:recording-resumed': 'recording_resumed',
};
/** Marks about the participant whose link it is (a clerk's screen share), not the applicant. */
const ownKinds: ReadonlySet<TimelineMarkKind> = new Set(['screen_share_start', 'screen_share_stop']);

export function buildTimeline(s: TimelineSources): RecordTimeline {
  const start = s.recording ? Date.parse(s.recording.startedAt) : null;
  const offset = (at: string) => (start === null ? 0 : Date.parse(at) - start);
  const person = (participantId: string) => s.session?.participants.find((p) => p.participantId === participantId);
  const marks: TimelineMark[] = [];
  for (const e of s.presence) {
    const p = person(e.id);
    marks.push({
      kind: presenceKind[e.event],
      offsetMs: offset(e.at),
      at: e.at,
      who: p?.displayName ?? e.id,
      role: p?.role ?? null,
      detail: null,
    });
  }
  let durationMs = 0;
  for (const link of s.recording?.links ?? []) {
    const kind = snapshotKind[link.track];
    if (!kind) {
      durationMs = Math.max(durationMs, link.endMs);
      continue;
    }
    // A material is captured by the originating clerk; a screen share's marks are about its sharer; a
    // recording resumed on another node is about nobody; the rest concern the applicant.
    const about =
      kind === 'recording_resumed'
        ? undefined
        : ownKinds.has(kind)
          ? link.participant
            ? person(link.participant)
            : undefined
          : s.session?.participants.find((p) => p.role === (kind === 'material' ? 'originating_clerk' : 'applicant'));
    marks.push({
      kind,
      offsetMs: link.startMs,
      at: new Date(start! + link.startMs).toISOString(),
      who: about?.displayName ?? null,
      role: about?.role ?? null,
      detail: `chain link #${link.index}`,
    });
  }
  for (const d of s.documents)
    for (const signer of d.signers) {
      if (!signer.signedAt) continue;
      marks.push({
        kind: 'signature',
        offsetMs: offset(signer.signedAt),
        at: signer.signedAt,
        who: signer.displayName,
        role: signer.role,
        detail: d.title,
      });
    }
  marks.sort((a, b) => a.offsetMs - b.offsetMs || a.at.localeCompare(b.at));
  return {
    recordId: s.recordId,
    sessionId: s.session?.id ?? null,
    startedAt: s.recording?.startedAt ?? null,
    durationMs: Math.max(0, Math.round(durationMs)),
    marks,
  };
}

export interface VideoWindow {
  readonly fromMs: number;
  readonly toMs: number;
}

/**
 * The spans to blur: ID_WINDOW_MARGIN_MS either side of each ID snapshot, every `id_shown` span,
 * and the auditor's own; clipped to the video and merged where they overlap.
 */
export function redactionWindows(timeline: RecordTimeline, extra: readonly VideoWindow[]): VideoWindow[] {
  const spans: VideoWindow[] = [...extra];
  for (const m of timeline.marks) {
    if (m.kind === 'snapshot_id')
      spans.push({ fromMs: m.offsetMs - ID_WINDOW_MARGIN_MS, toMs: m.offsetMs + ID_WINDOW_MARGIN_MS });
    if (m.kind === 'id_shown') spans.push({ fromMs: m.offsetMs, toMs: m.endMs ?? m.offsetMs + ID_WINDOW_MARGIN_MS });
  }
  const end = timeline.durationMs;
  const clipped = spans
    .map((w) => ({ fromMs: Math.max(0, w.fromMs), toMs: end > 0 ? Math.min(end, w.toMs) : w.toMs }))
    .filter((w) => w.toMs > w.fromMs)
    .sort((a, b) => a.fromMs - b.fromMs);
  const merged: VideoWindow[] = [];
  for (const w of clipped) {
    const last = merged.at(-1);
    if (last && w.fromMs <= last.toMs) merged[merged.length - 1] = { ...last, toMs: Math.max(last.toMs, w.toMs) };
    else merged.push(w);
  }
  return merged;
}
