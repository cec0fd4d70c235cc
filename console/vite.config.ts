/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The controller serves the build at / (see ConsoleFiles); `npm run dev` proxies the API to a
// running member (MUSTER_URL, default http://127.0.0.1:8080).
export default defineConfig({
  plugins: [react()],
  build: { outDir: 'dist', sourcemap: false, manifest: true, chunkSizeWarningLimit: 400 },
  server: {
    proxy: Object.fromEntries(['/api', '/graphql', '/readyz'].map((path) => [path, process.env.MUSTER_URL ?? 'http://127.0.0.1:8080'])),
  },
  test: {
    environment: 'jsdom',
    include: ['src/**/*.test.{ts,tsx}'],
    // The build machine is shared with heavy work (load averages of 30 on 2 cores): a jsdom render
    // that takes 1 s idle has taken 6 s there, past Vitest's default of 5 s.
    testTimeout: 30_000,
  },
});
