-- AlterTable
ALTER TABLE "App" ADD COLUMN     "apiKeyHeader" TEXT;
