// Shared by the end-to-end test and the app benchmark: waiting for
// tauri-driver, and finding elements by their test id.
import net from 'node:net';

export const byTestId = (id) => `[data-testid="${id}"]`;

/** Resolves once something listens on `port` (tauri-driver), within `ms`. */
export function waitForPort(port, ms) {
  const deadline = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => { socket.destroy(); resolve(); });
      socket.once('error', () => {
        socket.destroy();
        if (Date.now() > deadline) reject(new Error(`nothing listened on ${port}`));
        else setTimeout(attempt, 50);
      });
    };
    attempt();
  });
}
