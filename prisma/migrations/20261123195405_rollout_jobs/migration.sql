-- CreateEnum
CREATE TYPE "RolloutOp" AS ENUM ('START', 'CONTINUE', 'ROLLBACK');

-- CreateEnum
CREATE TYPE "RolloutTargetStatus" AS ENUM ('PENDING', 'DONE', 'FAILED');

-- AlterTable
ALTER TABLE "Rollout" ADD COLUMN     "op" "RolloutOp",
ADD COLUMN     "opActor" JSONB,
ADD COLUMN     "opDone" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "opFailed" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "opFinishedAt" TIMESTAMP(3),
ADD COLUMN     "opStartedAt" TIMESTAMP(3),
ADD COLUMN     "opTotal" INTEGER NOT NULL DEFAULT 0;

-- CreateTable
CREATE TABLE "RolloutTarget" (
    "id" TEXT NOT NULL,
    "rolloutId" TEXT NOT NULL,
    "op" "RolloutOp" NOT NULL,
    "instanceId" TEXT NOT NULL,
    "seq" INTEGER NOT NULL,
    "status" "RolloutTargetStatus" NOT NULL DEFAULT 'PENDING',
    "reason" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "doneAt" TIMESTAMP(3),

    CONSTRAINT "RolloutTarget_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "RolloutTarget_rolloutId_op_status_seq_idx" ON "RolloutTarget"("rolloutId", "op", "status", "seq");

-- CreateIndex
CREATE UNIQUE INDEX "RolloutTarget_rolloutId_op_instanceId_key" ON "RolloutTarget"("rolloutId", "op", "instanceId");

-- CreateIndex
CREATE INDEX "Rollout_opFinishedAt_idx" ON "Rollout"("opFinishedAt");

-- AddForeignKey
ALTER TABLE "RolloutTarget" ADD CONSTRAINT "RolloutTarget_rolloutId_fkey" FOREIGN KEY ("rolloutId") REFERENCES "Rollout"("id") ON DELETE CASCADE ON UPDATE CASCADE;
