-- The last sequence number of the history and the size of the context, kept on the session row
-- by every write that changes them, so that an append takes both from the row it locks (one
-- statement) instead of reading the history under the lock.
ALTER TABLE "sessions" ADD COLUMN     "last_seq" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "context_size" INTEGER NOT NULL DEFAULT 0;

UPDATE "sessions" AS s
SET "last_seq" = coalesce((SELECT max(m."seq") FROM "messages" AS m WHERE m."session_id" = s."id"), 0),
    "context_size" = (SELECT count(*) FROM "messages" AS m WHERE m."session_id" = s."id" AND m."in_context");
