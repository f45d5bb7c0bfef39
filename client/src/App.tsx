import { matchRoute, usePath } from './router.js';
import { RoomPage } from './pages/RoomPage.js';
import { JoinPage } from './pages/JoinPage.js';

export function App() {
  const path = usePath();
  const room = matchRoute('/room/:sessionId', path);
  if (room) return <RoomPage key={room.sessionId} sessionId={room.sessionId!} />;
  const join = matchRoute('/join/:code', path);
  if (join) return <JoinPage code={join.code!} />;
  return (
    <main>
      <h1>通办视频签约台</h1>
      <p>页面不存在 / page not found</p>
    </main>
  );
}
