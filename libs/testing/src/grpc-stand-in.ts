import {
  createServer,
  type Http2Server,
  type ServerHttp2Session,
  type ServerHttp2Stream,
} from 'node:http2';
import type { AddressInfo } from 'node:net';

/**
 * The client's generated protobuf classes (untyped), loaded when a stand-in first serves a read:
 * the many tests that import @ledger/testing for other things do not load them.
 */
function protos(): Record<
  'streamsPb' | 'sharedPb' | 'featuresPb' | 'statusPb' | 'anyPb',
  ProtoModule
> {
  /* eslint-disable @typescript-eslint/no-require-imports */
  return {
    streamsPb: require('@eventstore/db-client/generated/streams_pb') as ProtoModule,
    sharedPb: require('@eventstore/db-client/generated/shared_pb') as ProtoModule,
    featuresPb: require('@eventstore/db-client/generated/serverfeatures_pb') as ProtoModule,
    statusPb: require('@eventstore/db-client/generated/status_pb') as ProtoModule,
    // The client's own dependency, whose `Any` carries an error's details.
    anyPb: require('google-protobuf/google/protobuf/any_pb') as ProtoModule,
  };
  /* eslint-enable @typescript-eslint/no-require-imports */
}

type ProtoModule = Record<string, ProtoClass>;
interface ProtoClass {
  new (): ProtoMessage;
  deserializeBinary(bytes: Uint8Array): ProtoMessage;
  readonly [nested: string]: unknown;
}
type ProtoMessage = Record<string, (...args: unknown[]) => ProtoMessage & Uint8Array>;

/** What the stand-in does with a call of the Streams service. */
export type StandInMode =
  /** Answers headers and nothing more: a server that accepts and never answers. */
  | { readonly kind: 'silent' }
  /** Ends every call at once with this gRPC status (8 RESOURCE_EXHAUSTED, 13 INTERNAL, 2 UNKNOWN…). */
  | { readonly kind: 'status'; readonly code: number; readonly message: string }
  /**
   * Answers each append of a BatchAppend call (the call stays open) with the server's own
   * "unknown" error: an `event_store.client.Unknown` detail, the call's status untouched, as a
   * server reports an append whose outcome it does not know. Other calls as `silent`.
   */
  | { readonly kind: 'append-unknown' }
  /**
   * A log of `events` records at positions 1000, 1100, 1200… (commit = prepare). Every
   * `systemEvery`-th record (when set) and `trailingSystem` more at the end are system events
   * (stream `$stats-…`), as KurrentDB interleaves them. A read starts at its position
   * (inclusive), the start or the end, goes its direction, and gets up to its count; asked for
   * more than it can get, the call ends, unless `live`: then it stays open (as a live server's
   * does while flow control holds it), so a reader that stops early and never cancels leaves it.
   */
  | {
      readonly kind: 'log';
      readonly events: number;
      readonly systemEvery?: number;
      readonly trailingSystem?: number;
      readonly live?: boolean;
    };

/** The position of the stand-in log's `i`th record. */
export const standInPosition = (i: number): number => 1000 + i * 100;

const SERVER_FEATURES = '/event_store.client.server_features.ServerFeatures/GetSupportedMethods';
const READ = '/event_store.client.streams.Streams/Read';
const BATCH_APPEND = '/event_store.client.streams.Streams/BatchAppend';

export interface StandInOptions {
  /**
   * Advertise the Streams service's BatchAppend in ServerFeatures, as KurrentDB and EventStoreDB
   * servers since the 21.x releases do: the client then appends over one long-lived BatchAppend
   * call. Without it the stand-in answers ServerFeatures UNIMPLEMENTED, as an older server, and
   * the client appends with one Append call each.
   */
  readonly batchAppend?: boolean;
}

/**
 * A minimal gRPC endpoint in place of a KurrentDB server (none runs on the development machine),
 * for the adapter's transport behaviour: calls held open, calls ended with a status, and `$all`
 * reads served from a small log, with every call's count and the streams still open observable.
 * Like KurrentDB, it allows 100 concurrent streams per connection.
 */
export class GrpcStandIn {
  mode: StandInMode = { kind: 'silent' };
  /** The calls of the Streams service as they came, with a read's count. */
  readonly calls: { path: string; count?: string }[] = [];
  private readonly open = new Set<ServerHttp2Stream>();
  private readonly sessions = new Set<ServerHttp2Session>();

  private constructor(
    private readonly server: Http2Server,
    readonly port: number,
    private readonly options: StandInOptions,
  ) {}

  static async start(options: StandInOptions = {}): Promise<GrpcStandIn> {
    const server = createServer({ settings: { maxConcurrentStreams: 100 } });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const standIn = new GrpcStandIn(server, (server.address() as AddressInfo).port, options);
    server.on('stream', (stream, headers) => standIn.serve(stream, String(headers[':path'])));
    server.on('sessionError', () => undefined);
    server.on('session', (session) => {
      standIn.sessions.add(session);
      session.on('close', () => standIn.sessions.delete(session));
    });
    return standIn;
  }

  /** `esdb://127.0.0.1:<port>?tls=false`: a single node, no TLS. */
  get connectionString(): string {
    return `esdb://127.0.0.1:${this.port}?tls=false`;
  }

  /** Calls open at the stand-in now (a reader that left one open has leaked it). */
  get openCalls(): number {
    return this.open.size;
  }

  async close(): Promise<void> {
    for (const session of this.sessions) session.destroy();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private serve(stream: ServerHttp2Stream, path: string): void {
    stream.on('error', () => undefined);
    if (path === SERVER_FEATURES) {
      if (this.options.batchAppend) return answered(stream, supportedMethods());
      return ended(stream, 12, 'unimplemented'); // as an older server
    }
    this.open.add(stream);
    stream.on('close', () => this.open.delete(stream));
    const call: { path: string; count?: string } = { path };
    this.calls.push(call);
    const mode = this.mode;
    if (mode.kind === 'status') return ended(stream, mode.code, mode.message);
    stream.respond(
      { ':status': 200, 'content-type': 'application/grpc+proto' },
      { waitForTrailers: true },
    );
    stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
    if (mode.kind === 'append-unknown' && path === BATCH_APPEND) return answerAppends(stream);
    if (mode.kind !== 'log' || path !== READ) return;
    onMessages(stream, (bytes) => {
      const options = protos().streamsPb.ReadReq.deserializeBinary(bytes).getOptions();
      const count = String(options.getCount());
      call.count = count;
      const records = recordsFor(mode, options);
      const served = records.slice(0, Number(count));
      for (const i of served) stream.write(frame(readEvent(i, isSystem(mode, i))));
      if (mode.live && served.length < Number(count)) return; // the call stays open
      stream.end();
    });
  }
}

type LogMode = Extract<StandInMode, { kind: 'log' }>;

/** Calls `each` with every gRPC message the client sends on a call. */
function onMessages(stream: ServerHttp2Stream, each: (bytes: Uint8Array) => void): void {
  let pending = Buffer.alloc(0);
  stream.on('data', (chunk: Buffer) => {
    pending = Buffer.concat([pending, chunk]);
    while (pending.length >= 5 && pending.length >= 5 + pending.readUInt32BE(1)) {
      const length = pending.readUInt32BE(1);
      each(pending.subarray(5, 5 + length));
      pending = pending.subarray(5 + length);
    }
  });
}

/** Answers each append of a BatchAppend call, once its last request came, with "unknown". */
function answerAppends(stream: ServerHttp2Stream): void {
  const { streamsPb, sharedPb, statusPb, anyPb } = protos();
  const streams = new Map<string, ProtoMessage>(); // by correlation id: its first request names it
  onMessages(stream, (bytes) => {
    const request = streamsPb.BatchAppendReq.deserializeBinary(bytes);
    const id = request.getCorrelationId();
    const key = String(id.getString());
    if (request.hasOptions()) streams.set(key, request.getOptions().getStreamIdentifier());
    if (!request.getIsFinal()) return;
    const details = new anyPb.Any();
    details.pack(new sharedPb.Unknown().serializeBinary(), 'event_store.client.Unknown');
    const error = new statusPb.Status();
    error.setCode(2);
    error.setMessage('stand-in: the outcome is unknown');
    error.setDetails(details);
    const response = new streamsPb.BatchAppendResp();
    response.setCorrelationId(id);
    response.setError(error);
    response.setStreamIdentifier(streams.get(key));
    streams.delete(key);
    stream.write(frame(response));
  });
}

function isSystem(mode: LogMode, i: number): boolean {
  return (
    i >= mode.events - (mode.trailingSystem ?? 0) ||
    (mode.systemEvery !== undefined && i % mode.systemEvery === mode.systemEvery - 1)
  );
}

/** The records a read of `$all` gets, in its order: from its position (inclusive), its direction. */
function recordsFor(mode: LogMode, options: ProtoMessage): number[] {
  const all = options.getAll();
  const backwards = Number(options.getReadDirection()) === 1;
  const indexes = Array.from({ length: mode.events }, (_, i) => i);
  let from: number | 'start' | 'end' = 'start';
  if (all.hasEnd()) from = 'end';
  else if (all.hasPosition()) from = Number(all.getPosition().getCommitPosition());
  if (backwards) {
    const upTo = from === 'end' ? Infinity : from === 'start' ? -1 : from;
    return indexes.filter((i) => standInPosition(i) <= upTo).reverse();
  }
  const after = from === 'start' ? -1 : from === 'end' ? Infinity : from;
  return indexes.filter((i) => standInPosition(i) >= after);
}

/** A call ended at once with a status (gRPC's trailers-only answer). */
function ended(stream: ServerHttp2Stream, code: number, message: string): void {
  stream.respond(
    {
      ':status': 200,
      'content-type': 'application/grpc+proto',
      'grpc-status': String(code),
      'grpc-message': encodeURIComponent(message),
    },
    { endStream: true },
  );
}

/** A unary call answered: one message, then status OK. */
function answered(stream: ServerHttp2Stream, message: ProtoMessage): void {
  stream.respond(
    { ':status': 200, 'content-type': 'application/grpc+proto' },
    { waitForTrailers: true },
  );
  stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
  stream.end(frame(message));
}

/** ServerFeatures' answer: the Streams service's BatchAppend is supported. */
function supportedMethods(): ProtoMessage {
  const { featuresPb } = protos();
  const method = new featuresPb.SupportedMethod();
  method.setMethodName('batchappend');
  method.setServiceName('event_store.client.streams.streams');
  const methods = new featuresPb.SupportedMethods();
  methods.addMethods(method);
  methods.setEventStoreServerVersion('24.10.0');
  return methods;
}

/** A gRPC message on the wire: not compressed, its length, its bytes. */
function frame(message: ProtoMessage): Buffer {
  const bytes = Buffer.from(message.serializeBinary());
  const head = Buffer.alloc(5);
  head.writeUInt32BE(bytes.length, 1);
  return Buffer.concat([head, bytes]);
}

/** The `i`th record of the stand-in's log: a ledger event of stream `stand-in-{i}`, or a system one. */
function readEvent(i: number, system: boolean): ProtoMessage {
  const { streamsPb, sharedPb } = protos();
  const Recorded = (streamsPb.ReadResp.ReadEvent as { RecordedEvent: ProtoClass }).RecordedEvent;
  const recorded = new Recorded();
  const id = new sharedPb.UUID();
  id.setString(`00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
  recorded.setId(id);
  const stream = new sharedPb.StreamIdentifier();
  stream.setStreamName(Buffer.from(system ? `$stats-127.0.0.1:2113` : `stand-in-${i}`));
  recorded.setStreamIdentifier(stream);
  recorded.setStreamRevision('0');
  recorded.setCommitPosition(String(standInPosition(i)));
  recorded.setPreparePosition(String(standInPosition(i)));
  const metadata = recorded.getMetadataMap() as unknown as Map<string, string>;
  metadata.set('type', system ? '$statsCollected' : 'StandInEvent');
  metadata.set('content-type', 'application/json');
  metadata.set('created', String(BigInt(Date.now()) * 10_000n));
  recorded.setCustomMetadata(Buffer.from(JSON.stringify({ $schemaVersion: 1 })));
  recorded.setData(Buffer.from(JSON.stringify({ n: i })));
  const event = new (streamsPb.ReadResp.ReadEvent as ProtoClass)();
  event.setEvent(recorded);
  event.setCommitPosition(String(standInPosition(i)));
  const response = new streamsPb.ReadResp();
  response.setEvent(event);
  return response;
}
