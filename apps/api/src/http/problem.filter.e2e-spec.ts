import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { Body, Controller, Get, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Type } from 'class-transformer';
import { IsInt, IsString, Max, Min, ValidateNested } from 'class-validator';
import { DomainError, say } from '@ledger/domain';
import { StoreUnavailable } from '@ledger/event-store';
import { ProjectionLagging } from '@ledger/projections';
import { fastifyOptions, jsonBodiesOnly, MAX_BODY_BYTES } from './framework-errors';
import { ProblemException } from './problem';
import { ProblemFilter } from './problem.filter';
import { validationPipe } from './validation';

class ItemDto {
  @IsString() sku!: string;
  @IsInt() @Min(1) @Max(100_000) quantity!: number;
}

class OrderDto {
  @IsString() riderId!: string;
  @ValidateNested({ each: true }) @Type(() => ItemDto) items!: ItemDto[];
}

@Controller('t')
class ProbeController {
  @Post('order') order(@Body() body: OrderDto) {
    return { ok: true, items: body.items.length };
  }
  @Get('domain') domain() {
    throw ProblemException.of(new DomainError('INSUFFICIENT_BALANCE', say`the balance is 3`));
  }
  @Get('rule') rule() {
    throw ProblemException.of(new DomainError('RULE_VIOLATION', say`over the cap`));
  }
  @Get('store') store() {
    throw new StoreUnavailable('connect ECONNREFUSED 10.0.0.1:5432 select * from secret');
  }
  @Get('lag') lag() {
    throw new ProjectionLagging(say`behind`);
  }
  @Get('bug') bug() {
    throw new Error('TypeError at /srv/app/x.js:12 — select password from users');
  }
}

@Module({ controllers: [ProbeController] })
class ProbeModule {}

/** The HTTP error contract: problem+json with the API's code, whatever goes wrong, and no internals. */
describe('problem+json errors and validation', () => {
  let app: NestFastifyApplication;

  beforeAll(async () => {
    app = await NestFactory.create<NestFastifyApplication>(
      ProbeModule,
      new FastifyAdapter(fastifyOptions()),
      { logger: false, bodyParser: false },
    );
    jsonBodiesOnly(app);
    app.useGlobalFilters(new ProblemFilter());
    app.useGlobalPipes(validationPipe());
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });
  afterAll(() => app.close());

  const call = async (method: 'GET' | 'POST', url: string, payload?: string) => {
    const res = await app.inject({
      method,
      url,
      payload,
      headers: payload === undefined ? {} : { 'content-type': 'application/json' },
    });
    return {
      status: res.statusCode,
      type: res.headers['content-type'],
      body: res.json<Record<string, unknown>>(),
    };
  };

  it('maps domain errors to their status and code', async () => {
    expect(await call('GET', '/t/domain')).toMatchObject({
      status: 409,
      type: expect.stringMatching(/^application\/problem\+json/) as unknown,
      body: {
        code: 'INSUFFICIENT_BALANCE',
        status: 409,
        detail: 'the balance is 3',
        title: 'Insufficient balance',
      },
    });
    expect((await call('GET', '/t/rule')).body).toMatchObject({
      status: 422,
      code: 'RULE_VIOLATION',
    });
    expect((await call('GET', '/t/lag')).body).toMatchObject({
      status: 503,
      code: 'PROJECTION_LAGGING',
    });
  });

  it('answers 503 STORE_UNAVAILABLE and 500 without leaking addresses, SQL or stacks', async () => {
    const store = await call('GET', '/t/store');
    expect(store.body).toMatchObject({ status: 503, code: 'STORE_UNAVAILABLE' });
    const bug = await call('GET', '/t/bug');
    expect(bug.body).toMatchObject({ status: 500, code: 'INTERNAL_ERROR' });
    for (const body of [store.body, bug.body])
      expect(JSON.stringify(body)).not.toMatch(
        /ECONNREFUSED|10\.0\.0\.1|select|password|\.js:|TypeError/,
      );
  });

  it('refuses unknown fields, wrong types and out-of-range values, naming each field', async () => {
    const res = await call(
      'POST',
      '/t/order',
      JSON.stringify({ riderId: 7, items: [{ sku: 'water', quantity: 0 }], colour: 'red' }),
    );
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'VALIDATION_FAILED' });
    const fields = (res.body.errors as { field: string }[]).map((e) => e.field).sort();
    expect(fields).toEqual(['colour', 'items.0.quantity', 'riderId']);
    expect(
      (
        await call(
          'POST',
          '/t/order',
          JSON.stringify({ riderId: 'r', items: [{ sku: 'w', quantity: 2 }] }),
        )
      ).body,
    ).toEqual({ ok: true, items: 1 });
  });

  it('answers malformed JSON, an oversize body and an unknown route as problems', async () => {
    expect(await call('POST', '/t/order', '{"riderId": ')).toMatchObject({
      status: 400,
      body: { code: 'VALIDATION_FAILED', detail: 'the request body is not valid JSON' },
    });
    const big = JSON.stringify({ riderId: 'r', items: [], pad: 'x'.repeat(MAX_BODY_BYTES) });
    expect(await call('POST', '/t/order', big)).toMatchObject({
      status: 413,
      body: { code: 'VALIDATION_FAILED', detail: expect.stringMatching(/too large/) as unknown },
    });
    expect(await call('GET', '/nowhere')).toMatchObject({
      status: 404,
      body: { code: 'NOT_FOUND' },
    });
  });

  it('answers a body that is not JSON as 415, naming what to send', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/t/order',
      payload: 'riderId=r',
      headers: { 'content-type': 'text/plain' },
    });
    expect(res.statusCode).toBe(415);
    expect(res.json()).toMatchObject({
      code: 'VALIDATION_FAILED',
      detail: 'send application/json',
    });
  });

  it('answers what Node refuses before Fastify sees it (raw non-ASCII URL, huge headers) as problems', async () => {
    await app.listen(0, '127.0.0.1');
    const { port } = app.getHttpServer().address() as AddressInfo;
    const rawUrl = await rawRequest(port, 'GET /t/domain?q=张 HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(rawUrl.head).toMatch(/^HTTP\/1\.1 400 /);
    expect(rawUrl.head).toMatch(/content-type: application\/problem\+json/i);
    expect(JSON.parse(rawUrl.body)).toMatchObject({
      status: 400,
      code: 'VALIDATION_FAILED',
      detail: expect.stringMatching(/percent-encode/) as unknown,
    });
    const huge = `GET /t/domain HTTP/1.1\r\nHost: x\r\nX-Pad: ${'p'.repeat(20_000)}\r\n\r\n`;
    const tooLarge = await rawRequest(port, huge);
    expect(tooLarge.head).toMatch(/^HTTP\/1\.1 431 /);
    expect(JSON.parse(tooLarge.body)).toMatchObject({ status: 431, code: 'VALIDATION_FAILED' });
  });
});

/** Sends bytes as they are (no client library would send a raw non-ASCII URL) and reads the answer. */
function rawRequest(port: number, request: string): Promise<{ head: string; body: string }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect(port, '127.0.0.1', () => socket.write(Buffer.from(request, 'utf8')));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const split = text.indexOf('\r\n\r\n');
      resolve({ head: text.slice(0, split), body: text.slice(split + 4) });
    });
  });
}
