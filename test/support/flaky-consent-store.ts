import { InMemoryConsentStore } from '#shared/consent/memory-consent-store.js';
import { ConsentStoreUnavailableError, type ConsentStore } from '#shared/consent/types.js';

/**
 * The in-memory consent store with a switch that makes every call fail the way an unreachable
 * DynamoDB does. Unit tests use it to prove fail-closed behaviour; the integration tests stop
 * the real emulator instead.
 */
export class FlakyConsentStore implements ConsentStore {
  readonly inner = new InMemoryConsentStore();
  down = false;

  private guard(): void {
    if (this.down) throw new ConsentStoreUnavailableError('storage is down (test)');
  }
  async getConsent(...a: Parameters<ConsentStore['getConsent']>) {
    this.guard();
    return this.inner.getConsent(...a);
  }
  async ensureCall(...a: Parameters<ConsentStore['ensureCall']>) {
    this.guard();
    return this.inner.ensureCall(...a);
  }
  async setConsent(...a: Parameters<ConsentStore['setConsent']>) {
    this.guard();
    return this.inner.setConsent(...a);
  }
  async appendEvent(...a: Parameters<ConsentStore['appendEvent']>) {
    this.guard();
    return this.inner.appendEvent(...a);
  }
  async markErased(...a: Parameters<ConsentStore['markErased']>) {
    this.guard();
    return this.inner.markErased(...a);
  }
  async listEvents(...a: Parameters<ConsentStore['listEvents']>) {
    this.guard();
    return this.inner.listEvents(...a);
  }
  async getRecordingControl(...a: Parameters<ConsentStore['getRecordingControl']>) {
    this.guard();
    return this.inner.getRecordingControl(...a);
  }
  async putRecordingControl(...a: Parameters<ConsentStore['putRecordingControl']>) {
    this.guard();
    return this.inner.putRecordingControl(...a);
  }
  async callsForCaller(...a: Parameters<ConsentStore['callsForCaller']>) {
    this.guard();
    return this.inner.callsForCaller(...a);
  }
}
