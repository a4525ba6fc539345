-- CreateIndex
CREATE INDEX "Execution_organizationId_finishedAt_idx" ON "Execution"("organizationId", "finishedAt");
