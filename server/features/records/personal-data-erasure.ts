// What a record's deletion erases from the database besides its files: the applicant's personal
// data (name, masked ID and phone, the ID number's HMAC, the free text of their 好差评 rating, the
// fields OCR read off their ID card) wherever a row copied it. Staff names
// stay (who acted is part of the audit trail); hashes stay (they prove, they do not tell).
import type { Database } from '../../kernel/store/Database.js';
import type { RecordRow } from './record-store.js';

/** What an erased name reads as from now on. */
export const ERASED_NAME = '（已销毁 erased）';

/** Runs inside the deletion's transaction, so a record is never half erased. */
export async function erasePersonalData(db: Database, record: RecordRow): Promise<void> {
  const name = ERASED_NAME;
  if (record.caseId) {
    await db.run(
      "UPDATE cases SET applicant_name = ?, id_hmac = '', id_masked = '', phone_masked = NULL WHERE id = ?",
      [name, record.caseId],
    );
    await db.run(
      "UPDATE document_signers SET display_name = ? WHERE role = 'applicant' AND document_id IN (SELECT id FROM documents WHERE case_id = ?)",
      [name, record.caseId],
    );
    await db.run('UPDATE records SET title = ? WHERE id = ?', [`${record.number} · ${name}`, record.id]);
    // The level stays for the statistics; the comment is the applicant's own words.
    await db.run('UPDATE ratings SET comment = NULL WHERE case_id = ?', [record.caseId]);
    // What OCR read off the ID card (name, number, birth, address…); the pass/fail checks stay.
    await db.run("UPDATE id_reads SET fields_json = '{}' WHERE case_id = ?", [record.caseId]);
  }
  await db.run("UPDATE record_participants SET display_name = ? WHERE record_id = ? AND participant LIKE 'guest:%'", [
    name,
    record.id,
  ]);
  if (record.sessionId) {
    for (const sql of [
      'UPDATE session_participants SET display_name = ? WHERE session_id = ? AND guest = 1',
      "UPDATE recording_participants SET display_name = ? WHERE session_id = ? AND participant_id LIKE 'guest:%'",
      "UPDATE login_sessions SET display_name = ? WHERE session_id = ? AND kind = 'guest'",
    ])
      await db.run(sql, [name, record.sessionId]);
  }
}
