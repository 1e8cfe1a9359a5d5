#!/usr/bin/env node
// Asks the pricing job for one price from Node, the way a storefront server would: optionally publishes a
// catalog entry for the item (keyed by item id: the catalog topic is compacted), sends a price request
// (keyed by user id) and waits for the decision with the same request_id on the decisions topic. Prints
// the decision as the job published it and exits 0; without a decision before the deadline it prints the
// list-price fallback ("client_fallback":"TIMEOUT") and exits 3.
//
// Usage: node quote.js --user U --item I [--list-price P] [--publish-catalog] [--bootstrap-servers H:P]
//                      [--topic-prefix pricing] [--timeout-ms 5000] [--channel web] [--device mobile]
// Security by environment: KAFKA_SSL=true (KAFKA_SSL_CA=file.pem for a private CA), KAFKA_SASL_MECHANISM
// (plain, scram-sha-256, scram-sha-512), KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD.
'use strict';
const fs = require('fs');
const crypto = require('crypto');
const { Kafka, logLevel } = require('kafkajs');

function parseArgs(argv) {
  const flags = new Set(['publish-catalog']);
  const opts = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new Error(`unexpected argument ${a}`);
    const name = a.slice(2);
    if (flags.has(name)) { opts[name] = true; continue; }
    if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
    opts[name] = argv[++i];
  }
  for (const required of ['user', 'item']) {
    if (!opts[required]) throw new Error(`--${required} is required`);
  }
  return opts;
}

function security() {
  const config = {};
  if (process.env.KAFKA_SSL === 'true') {
    config.ssl = process.env.KAFKA_SSL_CA ? { ca: [fs.readFileSync(process.env.KAFKA_SSL_CA, 'utf8')] } : true;
  }
  if (process.env.KAFKA_SASL_MECHANISM) {
    config.sasl = {
      mechanism: process.env.KAFKA_SASL_MECHANISM,
      username: process.env.KAFKA_SASL_USERNAME,
      password: process.env.KAFKA_SASL_PASSWORD,
    };
  }
  return config;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const prefix = opts['topic-prefix'] || 'pricing';
  const topics = {
    catalog: `${prefix}.catalog-updates`,
    requests: `${prefix}.price-requests`,
    decisions: `${prefix}.price-decisions`,
  };
  const timeoutMs = Number(opts['timeout-ms'] || 5000);
  const listPrice = opts['list-price'] !== undefined ? Number(opts['list-price']) : undefined;
  const kafka = new Kafka({
    clientId: 'pricing-node-example',
    brokers: (opts['bootstrap-servers'] || `127.0.0.1:${process.env.KAFKA_PORT || 19092}`).split(','),
    logLevel: logLevel.ERROR,
    ...security(),
  });

  // The end of every decisions partition, fixed before the request goes out: its decision comes after.
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(topics.decisions);
  await admin.disconnect();

  const requestId = opts['request-id'] || `node-${crypto.randomUUID()}`;
  const consumer = kafka.consumer({ groupId: `pricing-node-example-${requestId}`, maxWaitTimeInMs: 100 });
  const producer = kafka.producer();
  await Promise.all([consumer.connect(), producer.connect()]);
  await consumer.subscribe({ topic: topics.decisions, fromBeginning: false });

  let settle;
  const decided = new Promise((resolve) => { settle = resolve; });
  await consumer.run({
    eachMessage: async ({ message }) => {
      let decision;
      try { decision = JSON.parse(message.value.toString('utf8')); } catch (e) { return; }
      // A request id names one request only together with its user and item.
      if (decision.request_id === requestId && decision.user_id === opts.user && decision.item_id === opts.item) {
        settle(message.value.toString('utf8'));
      }
    },
  });
  // A fresh group would start at the end as of joining, which may come after the decision: start at the
  // ends fetched above instead.
  for (const { partition, offset } of ends) {
    consumer.seek({ topic: topics.decisions, partition, offset });
  }

  const now = new Date().toISOString();
  if (opts['publish-catalog']) {
    if (listPrice === undefined) throw new Error('--publish-catalog needs --list-price');
    await producer.send({
      topic: topics.catalog,
      messages: [{ key: opts.item, value: JSON.stringify({ item_id: opts.item, list_price: listPrice, update_time: now }) }],
    });
  }
  const started = Date.now();
  const request = { request_id: requestId, user_id: opts.user, item_id: opts.item, request_time: now };
  if (opts.channel) request.channel = opts.channel;
  if (opts.device) request.device = opts.device;
  await producer.send({ topic: topics.requests, messages: [{ key: opts.user, value: JSON.stringify(request) }] });

  let timer;
  const timedOut = new Promise((resolve) => { timer = setTimeout(() => resolve(null), timeoutMs); });
  const decision = await Promise.race([decided, timedOut]);
  clearTimeout(timer);
  await Promise.all([consumer.disconnect(), producer.disconnect()]);
  if (decision !== null) {
    process.stdout.write(decision + '\n');
    return 0;
  }
  process.stdout.write(JSON.stringify({
    request_id: requestId, user_id: opts.user, item_id: opts.item,
    price: listPrice ?? null, list_price: listPrice ?? null, fallback: true,
    client_fallback: 'TIMEOUT', latency_ms: Date.now() - started,
  }) + '\n');
  process.stderr.write(`quote.js: no decision for ${requestId} within ${timeoutMs} ms; showing the list price\n`);
  return 3;
}

main().then((code) => process.exit(code), (err) => {
  process.stderr.write(`quote.js: ${err.message}\n`);
  process.exit(1);
});
