// The identity-confirmation checklist (DESIGN §1, flow A step 4): every item must be ticked before
// the handling clerk may confirm.
import { z } from 'zod';

export const checklistItems = [
  { key: 'faceVisible', zh: '申请人面部清晰可见', en: 'Face clearly visible' },
  { key: 'idFrontShown', zh: '身份证正面已出示', en: 'ID card front shown' },
  { key: 'idBackShown', zh: '身份证背面已出示', en: 'ID card back shown' },
  {
    key: 'statedNameAndPurpose',
    zh: '申请人陈述姓名及办理事项（意愿确认）',
    en: 'Applicant stated name and purpose (consent)',
  },
] as const;

export type ChecklistKey = (typeof checklistItems)[number]['key'];
export type Checklist = Readonly<Record<ChecklistKey, boolean>>;

export const checklistSchema = z
  .object({
    faceVisible: z.boolean(),
    idFrontShown: z.boolean(),
    idBackShown: z.boolean(),
    statedNameAndPurpose: z.boolean(),
  })
  .strict();

export function uncheckedItems(checklist: Checklist): ChecklistKey[] {
  return checklistItems.filter((item) => !checklist[item.key]).map((item) => item.key);
}
