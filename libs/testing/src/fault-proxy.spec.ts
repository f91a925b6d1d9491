import { connect, createServer, type Server, type Socket } from 'node:net';
import { once } from 'node:events';
import { FaultProxy, hangUp } from './fault-proxy';

/** Sockets the process holds open now (what keeps it from exiting). */
const openSockets = () =>
  process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length;

const settle = () => new Promise((r) => setTimeout(r, 100));

describe('FaultProxy', () => {
  let echo: Server;
  let proxy: FaultProxy;
  const clients: Socket[] = [];

  /** A client of the proxy that collects what comes back. */
  async function client(): Promise<{ socket: Socket; received: () => string; closed: boolean }> {
    const socket = connect(proxy.port, '127.0.0.1');
    clients.push(socket);
    let received = '';
    const state = { socket, received: () => received, closed: false };
    socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
    socket.on('error', () => undefined);
    socket.on('close', () => (state.closed = true));
    await once(socket, 'connect');
    return state;
  }

  beforeEach(async () => {
    echo = createServer((socket) => socket.pipe(socket)).listen(0, '127.0.0.1');
    await once(echo, 'listening');
    const address = echo.address();
    proxy = await FaultProxy.start({
      host: '127.0.0.1',
      port: typeof address === 'object' && address ? address.port : 0,
    });
  });

  afterEach(async () => {
    for (const socket of clients.splice(0)) socket.destroy();
    await proxy.stop();
    await new Promise((resolve) => echo.close(resolve));
  });

  it('forwards both ways until cut; refuse resets open links and refuses new ones; heal serves again', async () => {
    const a = await client();
    a.socket.write('ping');
    await settle();
    expect(a.received()).toBe('ping');

    await proxy.cut('refuse');
    await settle();
    expect(a.closed).toBe(true);
    const refused = connect(proxy.port, '127.0.0.1');
    refused.on('error', () => undefined);
    const [error] = (await once(refused, 'error')) as [NodeJS.ErrnoException];
    expect(error.code).toBe('ECONNREFUSED');

    await proxy.heal();
    const b = await client();
    b.socket.write('back');
    await settle();
    expect(b.received()).toBe('back');
  });

  it('blackhole: nothing crosses, new links are accepted and never answered; heal resets them', async () => {
    const a = await client();
    await proxy.cut('blackhole');
    a.socket.write('lost');
    const b = await client();
    b.socket.write('unanswered');
    await settle();
    expect([a.received(), b.received()]).toEqual(['', '']);
    expect([a.closed, b.closed]).toEqual([false, false]);

    await proxy.heal();
    await settle();
    expect([a.closed, b.closed]).toEqual([true, true]);
  });
});

describe('hangUp', () => {
  /** A connected pair on 127.0.0.1: the server's side (what the proxy holds) and the client's. */
  async function pair(): Promise<{ server: Server; accepted: Socket; peer: Socket }> {
    const server = createServer().listen(0, '127.0.0.1');
    await once(server, 'listening');
    const address = server.address();
    const peer = connect(typeof address === 'object' && address ? address.port : 0, '127.0.0.1');
    peer.on('error', () => undefined);
    const [accepted] = (await once(server, 'connection')) as [Socket];
    accepted.on('error', () => undefined);
    return { server, accepted, peer };
  }

  it('resets a live connection: the peer sees ECONNRESET', async () => {
    const { server, accepted, peer } = await pair();
    const failed = once(peer, 'error');
    hangUp(accepted);
    const [error] = (await failed) as [NodeJS.ErrnoException];
    expect(error.code).toBe('ECONNRESET');
    peer.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  it('closes a connection that is shutting down (a reset would fail and leave it open)', async () => {
    const before = openSockets();
    const { server, accepted, peer } = await pair();
    // The peer hung up and Node is ending this side: the shutdown is in flight when hangUp comes.
    accepted.end();
    const closed = once(accepted, 'close');
    hangUp(accepted);
    await closed;
    peer.destroy();
    await new Promise((resolve) => server.close(resolve));
    await settle();
    expect(openSockets()).toBeLessThanOrEqual(before);
  });
});
