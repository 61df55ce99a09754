// Experiment: the floor of Nest 12 + Fastify with one POST route that forwards through undici.
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Module, Controller, Post, Body, HttpCode } from '@nestjs/common';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Agent, request } from 'undici';
const agent = new Agent({ connections: 128 });
class C { async run(body) {
  const up = await request(new URL(body.endpoint, process.env.UPSTREAM), { method: body.method, headers: { authorization: 'Bearer x' }, dispatcher: agent });
  const bytes = Buffer.from(await up.body.arrayBuffer());
  return { status: up.statusCode, data: JSON.parse(bytes.toString()), headers: up.headers };
} }
Reflect.decorate([Post(), HttpCode(200)], C.prototype, 'run', Object.getOwnPropertyDescriptor(C.prototype, 'run'));
Body()(C.prototype, 'run', 0);
Reflect.defineMetadata('design:paramtypes', [Object], C.prototype, 'run');
Controller('p')(C);
class M {}
Module({ controllers: [C] })(M);
const app = await NestFactory.create(M, new FastifyAdapter(), { logger: false });
await app.listen(0, '127.0.0.1');
process.stdout.write(JSON.stringify({ port: app.getHttpServer().address().port }) + '\n');
