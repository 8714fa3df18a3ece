import type { Prisma } from './generated/client.js';

/*
 * The store of idempotency keys: one row per caller and key, written in the transaction of the
 * write it guards, so the key is recorded exactly when the write commits.
 */

type Transaction = Prisma.TransactionClient;

export interface StoredKey {
  fingerprint: string;
  outcome: Prisma.JsonValue | null;
}

export interface KeyClaim {
  userId: string;
  key: string;
  fingerprint: string;
  now: Date;
  /** A row created before this has expired: it is taken over as if it were absent. */
  expiredBefore: Date;
}

/**
 * Claims `key` for the write running in `tx`, or returns what an earlier write stored under it.
 * A concurrent write holding the same key makes this wait until that write commits (then its row
 * is returned) or rolls back (then the key is claimed here).
 */
export async function claimKey(tx: Transaction, claim: KeyClaim): Promise<StoredKey | null> {
  const claimed = await tx.$queryRaw<unknown[]>`
    INSERT INTO idempotency_keys (user_id, key, fingerprint, outcome, created_at)
    VALUES (${claim.userId}, ${claim.key}, ${claim.fingerprint}, NULL, ${claim.now})
    ON CONFLICT (user_id, key) DO UPDATE SET fingerprint = EXCLUDED.fingerprint, outcome = NULL, created_at = EXCLUDED.created_at
      WHERE idempotency_keys.created_at < ${claim.expiredBefore}
    RETURNING 1`;
  if (claimed.length > 0) return null;
  const [stored] = await tx.$queryRaw<StoredKey[]>`
    SELECT fingerprint, outcome FROM idempotency_keys WHERE user_id = ${claim.userId} AND key = ${claim.key}`;
  return stored!;
}

export async function recordOutcome(
  tx: Transaction,
  userId: string,
  key: string,
  outcome: Prisma.InputJsonValue,
): Promise<void> {
  await tx.idempotencyKey.update({ where: { userId_key: { userId, key } }, data: { outcome } });
}

/** Deletes every key that has expired (an index on the creation time serves it). */
export async function purgeExpiredKeys(tx: Transaction, expiredBefore: Date): Promise<void> {
  await tx.idempotencyKey.deleteMany({ where: { createdAt: { lt: expiredBefore } } });
}
