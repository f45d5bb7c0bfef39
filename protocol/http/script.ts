// Scripted 意愿确认 (issue 15 §1): each matter's ordered script, versioned by admins, and a case's run
// through it (the handling clerk steps, the applicant sees the prompt, every prompt and answer is
// chained into the recording).
import { z } from 'zod';
import { idParams, route, slugParams } from '../common.js';

/** Placeholders a step's text may hold; the server fills them in for the case. */
export const scriptPlaceholders = ['{applicant}', '{matter}', '{handlingSite}', '{originatingSite}'] as const;

export const scriptStepKinds = ['statement', 'question'] as const;
export const scriptAnswers = ['yes', 'no'] as const;
export const scriptAnswer = z.enum(scriptAnswers);
export type ScriptAnswer = z.infer<typeof scriptAnswer>;

export const scriptStep = z
  .object({
    /** A statement is read aloud and acknowledged; a question expects an answer. */
    kind: z.enum(scriptStepKinds),
    text: z.string().trim().min(1).max(500),
    expected: scriptAnswer,
  })
  .strict();
export type ScriptStep = z.infer<typeof scriptStep>;

export const matterScript = z.object({
  matterId: z.string(),
  version: z.number().int().min(1),
  steps: z.array(scriptStep),
  createdBy: z.string(),
  createdAt: z.string(),
});
export type MatterScript = z.infer<typeof matterScript>;

/** Every version, newest first; `current` is the one new runs use. */
export const matterScripts = z.object({ current: matterScript.nullable(), versions: z.array(matterScript) });
export const saveScriptBody = z.object({ steps: z.array(scriptStep).min(1).max(40) }).strict();

/** An answer the clerk later corrected by asking the step again (it stays in the recording chain). */
export const correctedAnswer = z.object({
  answer: scriptAnswer,
  offsetMs: z.number().int(),
  chainIndex: z.number().int(),
});
export type CorrectedAnswer = z.infer<typeof correctedAnswer>;

/** One step of a case's run: the filled-in text, what was answered, when (ms into the recording). */
export const scriptRunStep = z.object({
  n: z.number().int().min(1),
  kind: z.enum(scriptStepKinds),
  text: z.string(),
  expected: scriptAnswer,
  answer: scriptAnswer.nullable(),
  /** Times the prompt was shown (1 + repeats). */
  shown: z.number().int(),
  promptOffsetMs: z.number().int().nullable(),
  answerOffsetMs: z.number().int().nullable(),
  answerChainIndex: z.number().int().nullable(),
  /** Earlier answers to this step, oldest first, each replaced by asking the step again. */
  corrected: z.array(correctedAnswer),
});
export type ScriptRunStep = z.infer<typeof scriptRunStep>;

export const scriptRunState = z.object({
  caseId: z.string(),
  sessionId: z.string().nullable(),
  matterId: z.string(),
  /** The script version this case runs (null before the run starts: the current version). */
  version: z.number().int().nullable(),
  status: z.enum(['none', 'not_started', 'running', 'complete']),
  steps: z.array(scriptRunStep),
  /** The prompt on the applicant's screen now. */
  prompt: z
    .object({ n: z.number().int(), total: z.number().int(), kind: z.enum(scriptStepKinds), text: z.string() })
    .nullable(),
});
export type ScriptRunState = z.infer<typeof scriptRunState>;

/** The clerk marks the applicant's answer: 是, 否, or 重复 (show the prompt again). */
export const markAnswerBody = z.object({ answer: z.enum(['yes', 'no', 'repeat']) }).strict();

/** The clerk asks an answered step again to correct a wrongly marked answer. */
export const reaskStepBody = z.object({ step: z.number().int().min(1).max(40) }).strict();

export const getMatterScripts = route({
  method: 'get',
  path: '/api/matters/:id/scripts',
  params: slugParams,
  response: matterScripts,
});
export const saveMatterScript = route({
  method: 'post',
  path: '/api/matters/:id/scripts',
  params: slugParams,
  body: saveScriptBody,
  response: matterScript,
  status: 201,
});
export const getScriptRun = route({
  method: 'get',
  path: '/api/cases/:id/script',
  params: idParams,
  response: scriptRunState,
});
export const startScriptRun = route({
  method: 'post',
  path: '/api/cases/:id/script/start',
  params: idParams,
  response: scriptRunState,
});
export const markScriptAnswer = route({
  method: 'post',
  path: '/api/cases/:id/script/answer',
  params: idParams,
  body: markAnswerBody,
  response: scriptRunState,
});
export const reaskScriptStep = route({
  method: 'post',
  path: '/api/cases/:id/script/reask',
  params: idParams,
  body: reaskStepBody,
  response: scriptRunState,
});
