// Audit actions in words; an action not listed here is shown as its code.
import type { Lang } from '../i18n/i18n.js';

const names: Record<string, [zh: string, en: string]> = {
  'auditor.read': ['审计调阅', 'Read by an auditor'],
  'data.read': ['调阅个人信息', 'Personal data read'],
  'case.created': ['创建办件', 'Case opened'],
  'case.queued': ['进入受理队列', 'Case queued'],
  'case.in_session': ['开始视频办理', 'Video session started'],
  'case.identity_confirmed': ['确认身份', 'Identity confirmed'],
  'case.signed': ['签署完成', 'Signing completed'],
  'case.archived': ['办件归档', 'Case archived'],
  'case.rejected': ['退回办件', 'Case returned'],
  'case.cancelled': ['撤销办件', 'Case withdrawn'],
  'ceremony.created': ['发起云签约', 'Ceremony started'],
  'ceremony.signed': ['云签约签署完成', 'Ceremony signed'],
  'ceremony.aborted': ['云签约中止', 'Ceremony stopped'],
  'document.signed': ['签名', 'Signed'],
  'document.completed': ['文件签署完成（加盖时间戳）', 'Document completed (timestamped)'],
  'evidence.exported': ['导出证据包', 'Evidence exported'],
  'record.redacted_export': ['导出遮挡版回放视频', 'Redacted video exported'],
  'identity.confirmed': ['生成身份核验确认书', 'Identity confirmation created'],
  'identity.confirm_refused': [
    '身份确认被拒（会话条件不满足）',
    'Identity confirmation refused (session preconditions)',
  ],
  'invitation.created': ['生成申请人邀请', 'Applicant invited'],
  'record.archived': ['归档', 'Archived'],
  'record.archive_refused': ['归档被拒（录像缺失或无效）', 'Archiving refused (recording missing or invalid)'],
  'record.deleted': ['删除并销毁数据', 'Deleted, data destroyed'],
  'record.hold_set': ['设置诉讼保全', 'Legal hold set'],
  'record.hold_cleared': ['解除诉讼保全', 'Legal hold released'],
  'record.ltv_renewed': ['长期验证续期（新文档时间戳）', 'Long-term validation renewed (new document timestamp)'],
  'retention.changed': ['修改留存期限', 'Retention period changed'],
  'record.batch_verify_started': ['开始批量验证', 'Batch verification started'],
  'record.batch_verified': ['批量验证完成', 'Batch verification finished'],
  'recording.started': ['开始录音录像', 'Recording started'],
  'recording.sealed': ['录像封存', 'Recording sealed'],
  'recording.sealed_interrupted': ['录像中断后封存', 'Recording sealed after an interruption'],
  'recording.seal_failed': ['中断录像封存失败', 'Sealing an interrupted recording failed'],
  'session.created': ['创建视频会话', 'Video session created'],
  'session.guest_joined': ['申请人凭邀请码加入', 'Applicant joined by invitation'],
  'session.recording_consent': ['确认录音录像告知', 'Recording notice accepted'],
  'snapshot.captured': ['从录像截取抓拍', 'Snapshot taken from the recording'],
};

export function actionLabel(action: string, lang: Lang): string {
  const n = names[action];
  return n ? n[lang === 'zh' ? 0 : 1] : action;
}
