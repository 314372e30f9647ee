import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The console is served by the gateway at / in production (apps/console/dist); `npm run dev -w
// @switchyard/console` serves it on 5173 and forwards the API (HTTP and graphql-ws) to the gateway.
export default defineConfig({
  plugins: [react()],
  resolve: { conditions: ['browser'] },
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true, chunkSizeWarningLimit: 1000 },
  server: { proxy: { '/graphql': { target: 'http://localhost:4000', ws: true } } },
});
