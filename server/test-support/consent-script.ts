// Runs a case's 意愿确认 script to the end as the handling clerk would, answering as expected.
import type { ScriptRunState } from '../../protocol/http/script.js';
import type { HttpClient } from './HttpClient.js';

export async function completeScript(clerk: HttpClient, caseId: string): Promise<ScriptRunState> {
  const step = async (path: string, body?: unknown): Promise<ScriptRunState> => {
    const res = await clerk.post(`/api/cases/${caseId}/script/${path}`, body);
    if (res.status !== 200) throw new Error(`script ${path}: ${res.status} ${res.text}`);
    return res.json() as ScriptRunState;
  };
  let state = await step('start');
  while (state.prompt) state = await step('answer', { answer: state.steps[state.prompt.n - 1]!.expected });
  return state;
}
