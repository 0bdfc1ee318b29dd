import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { InMemoryConsentStore } from '#shared/consent/memory-consent-store.js';
import { mayRecord } from '#shared/consent/policy.js';
import { ConsentConflictError, type ConsentState } from '#shared/consent/types.js';
import { consentStoreContract } from './consent-store-contract.js';

consentStoreContract('InMemoryConsentStore', (options) => new InMemoryConsentStore(options));

describe('InMemoryConsentStore', () => {
  it('hands out copies: mutating a returned record does not change the store', async () => {
    const store = new InMemoryConsentStore();
    const record = await store.setConsent('c1', 'declined', { category: 'negation:no' });
    record.state = 'granted';
    expect((await store.getConsent('c1'))?.state).toBe('declined');
  });

  it('defaults to 90 days retention plus the 30-day evidence margin', async () => {
    const now = new Date('2025-01-01T00:00:00.000Z');
    const store = new InMemoryConsentStore({ clock: () => now });
    const record = await store.setConsent('c1', 'granted', { category: 'affirmative:yes' });
    expect(record.expiresAt).toBe(now.getTime() / 1000 + 120 * 86_400);
  });

  it('property: after any sequence of consent changes, recording is allowed only if no refusal ever happened', async () => {
    const change = fc.constantFrom<Exclude<ConsentState, 'pending'>>('granted', 'declined', 'withdrawn');
    await fc.assert(
      fc.asyncProperty(fc.array(change, { maxLength: 12 }), async (changes) => {
        const store = new InMemoryConsentStore();
        let refused = false;
        for (const state of changes) {
          try {
            await store.setConsent('call', state, { category: 'test' });
            if (state !== 'granted') refused = true;
          } catch (error) {
            expect(error).toBeInstanceOf(ConsentConflictError);
            expect(refused).toBe(true);
          }
        }
        const allowed = mayRecord(await store.getConsent('call'));
        expect(allowed).toBe(changes.includes('granted') && !refused);
      }),
    );
  });
});
