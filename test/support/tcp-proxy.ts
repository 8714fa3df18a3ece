import net from 'node:net';

export type ProxyMode = 'forward' | 'refuse' | 'blackhole' | 'stall';

/**
 * A TCP proxy in front of a server, which a test can cut: `refuse` resets every connection (a
 * database that is down), `blackhole` resets the open ones and leaves new ones unanswered, `stall`
 * freezes every connection, open or new, without closing any (a network partition); `forward`
 * restores traffic, resuming frozen connections.
 */
export async function startTcpProxy(target: { host: string; port: number }) {
  let mode: ProxyMode = 'forward';
  const sockets = new Set<net.Socket>();
  const frozen = new Set<net.Socket>();
  const track = (socket: net.Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  };
  const server = net.createServer((client) => {
    track(client);
    if (mode === 'refuse') return client.resetAndDestroy();
    if (mode === 'blackhole' || mode === 'stall') return;
    const upstream = net.connect(target.port, target.host);
    track(upstream);
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    port,
    set(next: ProxyMode) {
      mode = next;
      for (const socket of sockets) {
        if (next === 'refuse' || next === 'blackhole') socket.resetAndDestroy();
        else if (next === 'stall') frozen.add(socket.pause());
      }
      if (next === 'forward') for (const socket of frozen) socket.resume();
      if (next === 'forward') frozen.clear();
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
