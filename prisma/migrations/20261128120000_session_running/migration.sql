-- AlterTable
ALTER TABLE "sessions" ADD COLUMN     "running" BOOLEAN NOT NULL DEFAULT false;
