// The flows as an app plugin (server/app.ts AppPlugin): ceremony state and evidence-export
// progress over the app's socket.io. The HTTP routes are mounted through routes/index.ts.
import type { AppPlugin } from '../../app/create-app.js';
import { attachCeremonyEvents } from './socket.js';

export const flowsPlugin: AppPlugin = {
  name: 'flows',
  async start({ ctx, realtime }) {
    const detach = attachCeremonyEvents(realtime, ctx);
    return { stop: async () => detach() };
  },
};
