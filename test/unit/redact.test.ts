import { describe, expect, it } from 'vitest';
import { redactDeep } from '#shared/observability/redact.js';
import { REDACTED, redactString } from '#shared/validation/personal-data.js';

describe('redaction', () => {
  it('removes values of sensitive keys whatever they are', () => {
    const out = redactDeep({ ssn: 'abc', nested: { cardnumber: 'x', cvv: 123 }, ok: 'fine' });
    expect(out).toEqual({ ssn: REDACTED, nested: { cardnumber: REDACTED, cvv: REDACTED }, ok: 'fine' });
  });

  it('scrubs phone numbers, SSNs, card numbers and dates from free text', () => {
    const text = 'caller +15551234567 said 123-45-6789, card 4111 1111 1111 1111, born 04/05/1980';
    const out = redactString(text);
    for (const secret of ['5551234567', '123-45-6789', '4111 1111', '1111 1111', '04/05/1980']) expect(out).not.toContain(secret);
  });

  it('keeps call ids (UUIDs) and ISO timestamps intact for correlation', () => {
    const id = '3fa85f64-5717-4562-b3fc-2c963f66afa6';
    expect(redactString(`call ${id} at 2026-11-25T08:34:47.123Z`)).toBe(`call ${id} at 2026-11-25T08:34:47.123Z`);
  });

  it('hides basic-auth credentials and tokens inside URLs', () => {
    const out = redactString('https://signalwire:s3cret@host/swaig?__token=abc.def');
    expect(out).not.toContain('s3cret');
    expect(out).not.toContain('abc.def');
  });
});
