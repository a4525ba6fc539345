-- CreateEnum
CREATE TYPE "UpgradeStatus" AS ENUM ('SUCCEEDED', 'FAILED');

-- CreateEnum
CREATE TYPE "RolloutStatus" AS ENUM ('CANARY', 'COMPLETED', 'ROLLED_BACK');

-- AlterTable
ALTER TABLE "Instance" ADD COLUMN     "pausedByVersionId" TEXT;

-- CreateTable
CREATE TABLE "InstanceUpgrade" (
    "id" TEXT NOT NULL,
    "organizationId" TEXT NOT NULL,
    "instanceId" TEXT NOT NULL,
    "fromVersionId" TEXT NOT NULL,
    "toVersionId" TEXT NOT NULL,
    "rolloutId" TEXT,
    "status" "UpgradeStatus" NOT NULL,
    "fromConfig" JSONB NOT NULL,
    "toConfig" JSONB,
    "error" TEXT,
    "details" JSONB,
    "actorType" TEXT NOT NULL,
    "actorId" TEXT,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "InstanceUpgrade_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Rollout" (
    "id" TEXT NOT NULL,
    "organizationId" TEXT NOT NULL,
    "integrationId" TEXT NOT NULL,
    "fromVersionId" TEXT NOT NULL,
    "toVersionId" TEXT NOT NULL,
    "status" "RolloutStatus" NOT NULL DEFAULT 'CANARY',
    "slice" JSONB NOT NULL,
    "instanceIds" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "skipped" JSONB,
    "startedById" TEXT,
    "startedBy" TEXT,
    "startedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "decidedAt" TIMESTAMP(3),
    "decision" TEXT,
    "autoHalted" BOOLEAN NOT NULL DEFAULT false,

    CONSTRAINT "Rollout_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "InstanceUpgrade_instanceId_at_idx" ON "InstanceUpgrade"("instanceId", "at" DESC);

-- CreateIndex
CREATE INDEX "InstanceUpgrade_organizationId_at_idx" ON "InstanceUpgrade"("organizationId", "at" DESC);

-- CreateIndex
CREATE INDEX "Rollout_organizationId_integrationId_startedAt_idx" ON "Rollout"("organizationId", "integrationId", "startedAt" DESC);

-- CreateIndex
CREATE INDEX "Rollout_status_idx" ON "Rollout"("status");

-- AddForeignKey
ALTER TABLE "InstanceUpgrade" ADD CONSTRAINT "InstanceUpgrade_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "InstanceUpgrade" ADD CONSTRAINT "InstanceUpgrade_instanceId_fkey" FOREIGN KEY ("instanceId") REFERENCES "Instance"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Rollout" ADD CONSTRAINT "Rollout_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Rollout" ADD CONSTRAINT "Rollout_integrationId_fkey" FOREIGN KEY ("integrationId") REFERENCES "Integration"("id") ON DELETE CASCADE ON UPDATE CASCADE;
