-- CreateEnum
CREATE TYPE "session_source" AS ENUM ('user', 'schedule');

-- CreateEnum
CREATE TYPE "permission_mode" AS ENUM ('default', 'accept_edits', 'explore', 'bypass', 'dont_ask');

-- CreateEnum
CREATE TYPE "message_role" AS ENUM ('user', 'assistant', 'system');

-- CreateEnum
CREATE TYPE "task_state" AS ENUM ('pending', 'in_progress', 'completed');

-- CreateTable
CREATE TABLE "sessions" (
    "id" VARCHAR(32) NOT NULL,
    "user_id" VARCHAR(255) NOT NULL,
    "agent_id" VARCHAR(255) NOT NULL,
    "workspace_id" VARCHAR(255) NOT NULL,
    "name" VARCHAR(500),
    "chat_model_config" JSONB,
    "source" "session_source" NOT NULL DEFAULT 'user',
    "source_schedule_id" VARCHAR(255),
    "version" INTEGER NOT NULL DEFAULT 1,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "sessions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "agent_states" (
    "session_id" VARCHAR(32) NOT NULL,
    "summary" JSONB NOT NULL,
    "reply_id" VARCHAR(255) NOT NULL,
    "cur_iter" INTEGER NOT NULL DEFAULT 0,
    "permission_mode" "permission_mode" NOT NULL DEFAULT 'default',
    "working_directories" JSONB NOT NULL,
    "allow_rules" JSONB NOT NULL,
    "deny_rules" JSONB NOT NULL,
    "ask_rules" JSONB NOT NULL,
    "max_cache_files" INTEGER NOT NULL DEFAULT 100,
    "max_cache_bytes" DOUBLE PRECISION NOT NULL DEFAULT 25000,
    "read_file_cache" JSONB NOT NULL,
    "activated_groups" TEXT[],

    CONSTRAINT "agent_states_pkey" PRIMARY KEY ("session_id")
);

-- CreateTable
CREATE TABLE "context_messages" (
    "session_id" VARCHAR(32) NOT NULL,
    "position" INTEGER NOT NULL,
    "id" VARCHAR(255) NOT NULL,
    "name" VARCHAR(255) NOT NULL,
    "role" "message_role" NOT NULL,
    "content" JSONB NOT NULL,
    "metadata" JSONB NOT NULL,
    "created_at" VARCHAR(64) NOT NULL,
    "finished_at" VARCHAR(64),
    "usage" JSONB,

    CONSTRAINT "context_messages_pkey" PRIMARY KEY ("session_id","position")
);

-- CreateTable
CREATE TABLE "tasks" (
    "session_id" VARCHAR(32) NOT NULL,
    "id" VARCHAR(255) NOT NULL,
    "position" INTEGER NOT NULL,
    "subject" TEXT NOT NULL,
    "description" TEXT NOT NULL,
    "metadata" JSONB NOT NULL,
    "created_at" VARCHAR(64) NOT NULL,
    "state" "task_state" NOT NULL DEFAULT 'pending',
    "owner" VARCHAR(255),
    "blocks" TEXT[],
    "blocked_by" TEXT[],

    CONSTRAINT "tasks_pkey" PRIMARY KEY ("session_id","id")
);

-- CreateIndex
CREATE INDEX "sessions_owner_recent_idx" ON "sessions"("user_id", "agent_id", "updated_at" DESC, "id" DESC);

-- CreateIndex
CREATE UNIQUE INDEX "tasks_session_id_position_key" ON "tasks"("session_id", "position");

-- AddForeignKey
ALTER TABLE "agent_states" ADD CONSTRAINT "agent_states_session_id_fkey" FOREIGN KEY ("session_id") REFERENCES "sessions"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "context_messages" ADD CONSTRAINT "context_messages_session_id_fkey" FOREIGN KEY ("session_id") REFERENCES "sessions"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "tasks" ADD CONSTRAINT "tasks_session_id_fkey" FOREIGN KEY ("session_id") REFERENCES "sessions"("id") ON DELETE CASCADE ON UPDATE CASCADE;
