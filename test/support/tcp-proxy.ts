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
  /** Armed by `cutAfterSending`: the text whose next sending cuts that client off. */
  let cutMarker: { text: Buffer; done: () => void } | null = null;
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
    let cut = false;
    client.on('data', (chunk: Buffer) => {
      if (cutMarker && chunk.includes(cutMarker.text)) {
        // The server receives the chunk whole and then end-of-stream; the client never hears back.
        cut = true;
        const { done } = cutMarker;
        cutMarker = null;
        upstream.end(chunk);
        client.resetAndDestroy();
        done();
        return;
      }
      upstream.write(chunk);
    });
    upstream.pipe(client);
    client.on('close', () => {
      if (!cut) upstream.destroy();
    });
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
    /**
     * The next chunk a client sends that contains `text` (e.g. a COMMIT) reaches the server, and
     * then that client's connection is reset before any answer: the client cannot know the outcome.
     * Resolves once it has happened.
     */
    cutAfterSending(text: string): Promise<void> {
      return new Promise((resolve) => (cutMarker = { text: Buffer.from(text), done: resolve }));
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
