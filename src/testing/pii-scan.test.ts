import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../db/connection.ts';
import { createTestDatabase } from '../db/testing.ts';
import { dumpDatabase, encodedForms, type PiiSecret, scanForPii } from './pii-scan.ts';

/** The scanner must find every form it claims to search, so that "0 hits" means something. */
describe('PII scanner self-test', () => {
  const secrets: PiiSecret[] = [
    { label: 'name', value: '张三丰' },
    { label: 'id number', value: '110105199003071234' },
    { label: 'phone', value: '13812345678' },
    { label: 'card', value: '6222020200112233445' },
    { label: 'contact name', value: '李四' },
  ];
  let handle: DatabaseHandle;

  beforeAll(async () => {
    handle = await createTestDatabase();
  });
  afterAll(async () => handle?.close());

  /** Each form of each secret, embedded in surrounding text the way a leak would be. */
  function planted(value: string): { form: string; text: string }[] {
    const bytes = Buffer.from(value, 'utf8');
    const out = encodedForms(value)
      .filter(({ form }) => !form.endsWith('(nested)'))
      .map(({ form, needle }) => ({ form, text: `{"x":"pre${needle}post"}` }));
    // Inside a longer base64 blob, at each of the three byte offsets (what an encrypted-looking
    // but merely encoded field would be).
    for (const prefix of ['', 'a', 'ab']) {
      const blob = Buffer.concat([Buffer.from(`${prefix}{"name":"`), bytes, Buffer.from('"}')]);
      out.push({ form: `base64 blob, prefix ${prefix.length}`, text: blob.toString('base64') });
      out.push({ form: `base64url blob, prefix ${prefix.length}`, text: blob.toString('base64url') });
    }
    out.push({
      form: 'JSON.stringify ascii-escaped',
      text: JSON.stringify({ v: value }).replace(
        /[^\x20-\x7e]/g,
        (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
      ),
    });
    return out;
  }

  it('finds every encoded form of every secret in a log line', () => {
    for (const secret of secrets) {
      for (const { form, text } of planted(secret.value)) {
        const result = scanForPii(
          [{ where: 'log', text: `{"level":30,"msg":"x","v":${JSON.stringify(text)}}\n` }],
          [secret],
        );
        expect(result.hits.length, `${secret.label} as ${form}`).toBeGreaterThan(0);
      }
    }
  });

  it('searches the forms it lists (plain, hex, base64 ×3 alignments ×2 alphabets, \\u escapes)', () => {
    const forms = encodedForms('张三丰').map((f) => f.form);
    expect(forms).toEqual(
      expect.arrayContaining([
        'plain',
        'hex',
        'HEX',
        'base64',
        'base64 (offset 1 mod 3)',
        'base64 (offset 2 mod 3)',
        'json \\u escape',
        'json \\U escape',
        'json \\u escape (nested)',
      ]),
    );
    // A value whose base64 has '+' or '/' is also searched in the url-safe alphabet.
    const urlForms = encodedForms('\u00fb\u00ff\u00fe-card').map((f) => f.form);
    expect(urlForms).toEqual(expect.arrayContaining(['base64url', 'base64url (offset 1 mod 3)']));
    expect(encodedForms('张三丰').find((f) => f.form === 'json \\u escape')?.needle).toBe(
      '\\u5f20\\u4e09\\u4e30',
    );
  });

  it('finds planted forms in text, bytea and jsonb columns of any table, and nothing in a clean database', async () => {
    const clean = scanForPii(await dumpDatabase(handle.db), secrets);
    expect(clean.hits).toEqual([]);
    expect(Object.keys(clean.scanned).length).toBeGreaterThan(20);

    await sql`CREATE TABLE pii_probe (id serial PRIMARY KEY, label text, t text, b bytea, j jsonb)`.execute(
      handle.db,
    );
    for (const secret of secrets) {
      for (const { form, text } of planted(secret.value)) {
        const label = `${secret.label} / ${form}`;
        await sql`INSERT INTO pii_probe (label, t) VALUES (${label}, ${text})`.execute(handle.db);
      }
      await sql`INSERT INTO pii_probe (label, b) VALUES (${`${secret.label} / bytea`}, ${Buffer.from(`xx${secret.value}yy`, 'utf8')})`.execute(
        handle.db,
      );
      await sql`INSERT INTO pii_probe (label, j) VALUES (${`${secret.label} / jsonb`}, ${JSON.stringify({ deep: [{ v: secret.value }] })}::jsonb)`.execute(
        handle.db,
      );
    }
    const { rows } = await sql<{ id: number; label: string }>`SELECT id, label FROM pii_probe`.execute(
      handle.db,
    );
    const whole = scanForPii(await dumpDatabase(handle.db), secrets);
    expect(new Set(whole.hits.map((hit) => hit.where))).toEqual(new Set(['table pii_probe']));
    // Every planted row is found, by its own secret.
    const found = new Set(whole.hits.map((hit) => `${hit.row}:${hit.secret}`));
    for (const row of rows) {
      const secret = secrets.find((s) => row.label.startsWith(`${s.label} /`))!;
      expect(found.has(`${row.id}:${secret.label}`), row.label).toBe(true);
    }
    expect(rows.length).toBeGreaterThan(secrets.length * 10);
    await sql`DROP TABLE pii_probe`.execute(handle.db);
  });
});
