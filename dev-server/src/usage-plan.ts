import type { UsagePlan } from './config.js';

/**
 * API Gateway's usage plan, per API key: a token bucket (rate per second, burst) for throttling, and a
 * quota of requests per UTC day. The clock is a parameter so tests can move time.
 */
export type UsageDecision = 'allowed' | 'throttled' | 'quota-exceeded';

interface KeyUsage {
  tokens: number;
  refilledAt: number;
  day: string;
  used: number;
}

export class UsagePlanLimiter {
  private readonly usage = new Map<number, KeyUsage>();

  constructor(
    private readonly plan: UsagePlan,
    private readonly now: () => number = Date.now,
  ) {}

  check(keyIndex: number): UsageDecision {
    const now = this.now();
    const day = new Date(now).toISOString().slice(0, 10);
    let usage = this.usage.get(keyIndex);
    if (!usage) {
      usage = { tokens: this.plan.burstLimit, refilledAt: now, day, used: 0 };
      this.usage.set(keyIndex, usage);
    }
    usage.tokens = Math.min(
      this.plan.burstLimit,
      usage.tokens + ((now - usage.refilledAt) / 1000) * this.plan.rateLimit,
    );
    usage.refilledAt = now;
    if (usage.tokens < 1) return 'throttled';
    if (usage.day !== day) {
      usage.day = day;
      usage.used = 0;
    }
    if (usage.used >= this.plan.quotaPerDay) return 'quota-exceeded';
    usage.tokens -= 1;
    usage.used += 1;
    return 'allowed';
  }

  remainingQuota(keyIndex: number): number {
    return this.plan.quotaPerDay - (this.usage.get(keyIndex)?.used ?? 0);
  }
}
