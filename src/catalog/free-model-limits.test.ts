import { describe, expect, it } from 'vitest';
import { documentedFreeLimits, freeLimitsFromKeyInfo } from './free-model-limits.js';

describe("OpenRouter's free-model limits", () => {
  it('uses the daily counter OpenRouter reports for the account', () => {
    const limits = freeLimitsFromKeyInfo('openrouter', {
      data: {
        is_free_tier: false,
        free_model_daily_requests: { limit: 1000, used: 12, remaining: 988 },
      },
    });
    expect(limits).toEqual({
      providerId: 'openrouter',
      requestsPerMinute: 20,
      requestsPerDay: 1000,
      usedToday: 12,
      remainingToday: 988,
      source: 'account',
      summary:
        'free models allow this account 20 requests a minute and 1,000 a day (12 used, 988 left today)',
    });
  });

  it('reads the tier from is_free_tier when there is no counter', () => {
    expect(freeLimitsFromKeyInfo('openrouter', { data: { is_free_tier: true } })).toMatchObject({
      requestsPerDay: 50,
      requestsPerDayWithCredits: 1000,
      source: 'account',
    });
    const bought = freeLimitsFromKeyInfo('openrouter', { data: { is_free_tier: false } });
    expect(bought.summary).toContain('1,000 a day if it bought at least 10 in total (else 50)');
  });

  it('falls back to the published figures, saying why', () => {
    expect(freeLimitsFromKeyInfo('openrouter', { data: {} })).toMatchObject({
      source: 'documented',
      requestsPerDay: 50,
      note: 'OpenRouter did not say which tier the key is on',
    });
    expect(freeLimitsFromKeyInfo('openrouter', 'not json')).toMatchObject({ source: 'documented' });
    expect(documentedFreeLimits('or').requestsPerMinute).toBe(20);
  });
});
