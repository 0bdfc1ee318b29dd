import { randomBytes } from 'node:crypto';
import { isExpired, type CardDetails } from './card.js';
import type { ChargeRequest, GatewayResult, PaymentGateway, TokenizeRequest } from './gateway.js';
import { luhnValid } from './luhn.js';

/** Card numbers the test gateway always declines, like a processor's published test cards. */
const TEST_DECLINE_NUMBERS: ReadonlySet<string> = new Set(['4000000000000002']);

export interface TestGatewayOptions {
  /** Clock for the expiry check; tests pin it. */
  now?: () => Date;
  /** Source of the random part of ids; tests may pin it. */
  randomId?: () => string;
}

const DECLINED = { approved: false, errorCode: 'card_declined', errorMessage: 'The card was declined.' } as const;
const EXPIRED = { approved: false, errorCode: 'expired_card', errorMessage: 'The card has expired.' } as const;

/**
 * A gateway that moves no money: Luhn-valid, unexpired cards are approved; Luhn-invalid cards
 * and the decline test numbers are declined with `card_declined`; expired cards with
 * `expired_card`. For local runs, tests and demos — never for real callers.
 */
export function createTestGateway(options: TestGatewayOptions = {}): PaymentGateway {
  const now = options.now ?? (() => new Date());
  const randomId = options.randomId ?? (() => randomBytes(12).toString('hex'));

  function decide(card: CardDetails): GatewayResult | undefined {
    if (!luhnValid(card.number) || TEST_DECLINE_NUMBERS.has(card.number)) return DECLINED;
    if (isExpired(card, now())) return EXPIRED;
    return undefined;
  }

  return {
    name: 'test',
    notice: 'test gateway: no money moves',
    async charge(request: ChargeRequest): Promise<GatewayResult> {
      return decide(request.card) ?? { approved: true, id: `ch_test_${randomId()}` };
    },
    async tokenize(request: TokenizeRequest): Promise<GatewayResult> {
      return decide(request.card) ?? { approved: true, id: `tok_test_${randomId()}` };
    },
  };
}
