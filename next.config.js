/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  // Server-only packages with native or WASM parts stay out of the bundle.
  serverExternalPackages: ["@node-rs/argon2", "pino", "pino-pretty", "bullmq", "ioredis", "pg", "@prisma/adapter-pg", "esbuild"],
  typedRoutes: false,
  devIndicators: false,
};
module.exports = nextConfig;
