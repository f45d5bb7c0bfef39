// What a record's deletion erases from the database besides its files: the applicant's personal
// data (name, masked ID and phone, the ID number's HMAC, the free text of their 好差评 rating, the
// fields OCR read off their ID card) wherever a row copied it. Staff names
// stay (who acted is part of the audit trail); hashes stay (they prove, they do not tell).
import type { Database } from '../../kernel/store/Database.js';
import type { RecordRow } from './record-store.js';

/** What an erased name reads as from now on. */
export const ERASED_NAME = '（已销毁 erased）';

/** Runs inside the deletion's transaction, so a record is never half erased. */
export function erasePersonalData(db: Database, record: RecordRow): void {
  const name = ERASED_NAME;
  if (record.caseId) {
    db.sql
      .prepare("UPDATE cases SET applicant_name = ?, id_hmac = '', id_masked = '', phone_masked = NULL WHERE id = ?")
      .run(name, record.caseId);
    db.sql
      .prepare(
        "UPDATE document_signers SET display_name = ? WHERE role = 'applicant' AND document_id IN (SELECT id FROM documents WHERE case_id = ?)",
      )
      .run(name, record.caseId);
    db.sql.prepare('UPDATE records SET title = ? WHERE id = ?').run(`${record.number} · ${name}`, record.id);
    // The level stays for the statistics; the comment is the applicant's own words.
    db.sql.prepare('UPDATE ratings SET comment = NULL WHERE case_id = ?').run(record.caseId);
    // What OCR read off the ID card (name, number, birth, address…); the pass/fail checks stay.
    db.sql.prepare("UPDATE id_reads SET fields_json = '{}' WHERE case_id = ?").run(record.caseId);
  }
  db.sql
    .prepare("UPDATE record_participants SET display_name = ? WHERE record_id = ? AND participant LIKE 'guest:%'")
    .run(name, record.id);
  if (record.sessionId) {
    for (const sql of [
      'UPDATE session_participants SET display_name = ? WHERE session_id = ? AND guest = 1',
      "UPDATE recording_participants SET display_name = ? WHERE session_id = ? AND participant_id LIKE 'guest:%'",
      "UPDATE login_sessions SET display_name = ? WHERE session_id = ? AND kind = 'guest'",
    ])
      db.sql.prepare(sql).run(name, record.sessionId);
  }
}
