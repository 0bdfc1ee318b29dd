import { describe, expect, it } from 'vitest';
import { isSafeId } from '#shared/validation/ids.js';

describe('isSafeId: the one id rule (ids become storage keys and log fields)', () => {
  it.each([
    'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d',
    'A1B2C3D4-E5F6-4A7B-8C9D-0E1F2A3B4C5D',
    'main',
    'control.main',
    'swml:abc-def',
    'call_42',
    'seg-2',
  ])('accepts %s', (id) => {
    expect(isSafeId(id)).toBe(true);
  });

  it.each([
    ['an SSN with dashes', '078-05-1120'],
    ['an SSN with underscores', '078_05_1120'],
    ['an SSN with colons', '078:05:1120'],
    ['an SSN with dots', '078.05.1120'],
    ['a card number with underscores', '4111_1111_1111_1111'],
    ['a card number with colons', '4111:1111:1111:1111'],
    ['a card number in one run', '4111111111111111'],
    ['a phone number', '15125550199'],
    ['a phone number with dots', '512.555.0199'],
    ['a date of birth', '1984-02-29'],
    ['a date of birth as a timestamp', '1984-02-29T00:00'],
    ['a date of birth with underscores', '1984_02_29'],
    ['a date with dots', '29.02.1984'],
    ['a path', '../etc/passwd'],
    ['a space', 'main x'],
    ['empty', ''],
  ])('refuses %s', (_name, id) => {
    expect(isSafeId(id)).toBe(false);
  });
});
