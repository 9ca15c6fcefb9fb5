// kafkajs 2.2.4 against a Kafka-protocol broker (run by tests/conformance/kafkajs_test.sh).
//
// Admin: createTopics with configs (a second create must report "already exists"),
// listTopics, fetchTopicMetadata, fetchTopicOffsets. Producer: keys, headers (repeated keys),
// null and empty values, explicit timestamps, acks=-1, no compression and GZIP (the only
// codec built into kafkajs; snappy/lz4/zstd need plugins, so they are not tested here).
//
// Read-back: kafkajs consumers always join a consumer group (group.js tests those), so to
// check the records alone they are read with kafkajs's own Fetch request on its internal
// cluster object (kafkajs/src — internal API, pinned by package-lock.json to 2.2.4). That
// still decodes every record batch with kafkajs's codec, with no group. The shell script
// also reads the same topics with kcat.
//
// Usage: node roundtrip.js --bootstrap HOST:PORT --expect-dir DIR [--mock]
// Writes DIR/<codec>.topic and DIR/<codec>.expected: kcat -f '%p|%o|%k|%S\n' lines
// (%S, the value length, is -1 for a null value).
'use strict'

const fs = require('fs')
const path = require('path')
const crypto = require('crypto')
const { Kafka, CompressionTypes, Partitioners, logLevel } = require('kafkajs')

const PARTITIONS = 3
const PER_PARTITION = 30
const TIMEOUT_MS = 60000
const CODECS = { none: CompressionTypes.None, gzip: CompressionTypes.GZIP }

function fail(message) {
  console.error(`[kafkajs_roundtrip] FAIL: ${message}`)
  process.exit(1)
}

function note(message) {
  console.log(`[kafkajs_roundtrip] ${message}`)
}

function parseArgs() {
  const args = { mock: false }
  const argv = process.argv.slice(2)
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--bootstrap') args.bootstrap = argv[++i]
    else if (argv[i] === '--expect-dir') args.expectDir = argv[++i]
    else if (argv[i] === '--mock') args.mock = true
    else fail(`unknown argument ${argv[i]}`)
  }
  if (!args.bootstrap || !args.expectDir) fail('usage: roundtrip.js --bootstrap H:P --expect-dir DIR [--mock]')
  return args
}

function expectedMessages(codec) {
  const baseTs = 1700000000000
  const messages = []
  for (let p = 0; p < PARTITIONS; p++) {
    for (let i = 0; i < PER_PARTITION; i++) {
      let value
      if (i % 10 === 3) value = null
      else if (i % 10 === 4) value = Buffer.alloc(0)
      else if (i % 10 === 5) value = Buffer.from(Array.from({ length: 10240 }, (_, j) => j % 256))
      else value = Buffer.from(`value ${codec}/${p}/${i} ünïcödé`)
      messages.push({
        partition: p,
        offset: i,
        key: Buffer.from(`key-${p}-${i}`),
        value,
        headers: { codec: Buffer.from(codec), i: Buffer.from(String(i)), dup: [Buffer.from('1'), Buffer.from('2')] },
        timestamp: String(baseTs + p * 1000 + i),
      })
    }
  }
  return messages
}

// kafkajs has no public group-less reader; its Kafka object keeps the cluster factory
// under a private symbol.
function createCluster(kafka) {
  const symbol = Object.getOwnPropertySymbols(kafka).find(
    s => s.toString() === 'Symbol(private:Kafka:createCluster)'
  )
  if (!symbol) fail('kafkajs internals changed: no createCluster symbol (package-lock pins 2.2.4)')
  return kafka[symbol]({ allowAutoTopicCreation: false })
}

async function fetchPartition(cluster, topic, partition, count) {
  const leaders = cluster.findLeaderForPartitions(topic, [partition])
  const nodeId = Object.keys(leaders)[0]
  if (nodeId === undefined) fail(`${topic}/${partition}: no leader in metadata`)
  const broker = await cluster.findBroker({ nodeId })
  const out = []
  let offset = 0n
  const deadline = Date.now() + TIMEOUT_MS
  while (out.length < count && Date.now() < deadline) {
    const response = await broker.fetch({
      replicaId: -1,
      isolationLevel: 1,
      maxWaitTime: 500,
      minBytes: 1,
      maxBytes: 10485760,
      topics: [{ topic, partitions: [{ partition, fetchOffset: offset.toString(), maxBytes: 1048576 }] }],
    })
    const p = response.responses[0].partitions[0]
    if (p.errorCode !== 0) fail(`${topic}/${partition}: fetch error code ${p.errorCode}`)
    // A fetch returns whole batches, which may start before the requested offset.
    for (const m of p.messages) {
      if (BigInt(m.offset) >= offset) out.push(m)
    }
    if (out.length > 0) offset = BigInt(out[out.length - 1].offset) + 1n
  }
  return out
}

function same(a, b) {
  if (a === null || b === null) return a === b
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => same(x, b[i]))
  }
  return Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0
}

function compare(topic, want, got) {
  if (got.length !== want.length) fail(`${topic}: read ${got.length} messages, want ${want.length}`)
  for (let k = 0; k < want.length; k++) {
    const w = want[k]
    const g = got[k]
    const where = `${topic}/${w.partition}@${w.offset}`
    if (Number(g.offset) !== w.offset) fail(`${where}: offset ${g.offset}`)
    if (!same(g.key, w.key)) fail(`${where}: key ${g.key}`)
    if (!same(g.value, w.value)) fail(`${where}: value ${g.value === null ? 'null' : g.value.toString('hex').slice(0, 80)}`)
    if (g.timestamp !== w.timestamp) fail(`${where}: timestamp ${g.timestamp}, want ${w.timestamp}`)
    const gotHeaders = Object.keys(g.headers).sort()
    const wantHeaders = Object.keys(w.headers).sort()
    if (gotHeaders.join() !== wantHeaders.join()) fail(`${where}: header keys ${gotHeaders}, want ${wantHeaders}`)
    for (const h of wantHeaders) {
      if (!same(g.headers[h], w.headers[h])) fail(`${where}: header ${h} = ${g.headers[h]}`)
    }
  }
}

async function main() {
  const args = parseArgs()
  const kafka = new Kafka({
    clientId: 'kafkajs-conformance',
    brokers: [args.bootstrap],
    logLevel: logLevel.WARN,
    requestTimeout: TIMEOUT_MS,
    retry: { retries: 5 },
  })
  const run = crypto.randomBytes(4).toString('hex')
  const topics = Object.fromEntries(Object.keys(CODECS).map(c => [c, `kafkajs-${c}-${run}`]))

  const admin = kafka.admin()
  await admin.connect()
  if (args.mock) {
    note('SKIP (librdkafka mock): createTopics; topics are auto-created')
  } else {
    const created = await admin.createTopics({
      waitForLeaders: true,
      timeout: 30000,
      topics: Object.values(topics).map(topic => ({
        topic,
        numPartitions: PARTITIONS,
        replicationFactor: 1,
        configEntries: [{ name: 'retention.ms', value: '86400000' }],
      })),
    })
    if (created !== true) fail(`createTopics returned ${created}, want true`)
    // kafkajs reports TOPIC_ALREADY_EXISTS for every topic as `false`, not an error (it
    // also logs it at ERROR, hence a client that logs nothing for this one call).
    const quiet = new Kafka({ clientId: 'kafkajs-conformance', brokers: [args.bootstrap], logLevel: logLevel.NOTHING })
    const quietAdmin = quiet.admin()
    await quietAdmin.connect()
    const again = await quietAdmin.createTopics({ topics: [{ topic: topics.none, numPartitions: PARTITIONS }] })
    await quietAdmin.disconnect()
    if (again !== false) fail(`creating ${topics.none} twice returned ${again}, want false`)
    note(`created ${Object.keys(topics).length} topics; duplicate create reported`)
  }

  // Every message names its partition; naming the partitioner only silences its warning.
  const producer = kafka.producer({
    allowAutoTopicCreation: args.mock,
    createPartitioner: Partitioners.DefaultPartitioner,
  })
  await producer.connect()
  for (const [codec, topic] of Object.entries(topics)) {
    const want = expectedMessages(codec)
    // Two sends per topic, so each partition holds several batches.
    for (const half of [want.filter(m => m.offset < PER_PARTITION / 2), want.filter(m => m.offset >= PER_PARTITION / 2)]) {
      const result = await producer.send({
        topic,
        acks: -1,
        compression: CODECS[codec],
        messages: half.map(({ partition, key, value, headers, timestamp }) => ({ partition, key, value, headers, timestamp })),
      })
      for (const r of result) {
        if (r.errorCode !== 0) fail(`${topic}/${r.partition}: produce error code ${r.errorCode}`)
        const first = half.find(m => m.partition === r.partition)
        if (Number(r.baseOffset) !== first.offset) fail(`${topic}/${r.partition}: base offset ${r.baseOffset}, want ${first.offset}`)
      }
    }
    fs.writeFileSync(path.join(args.expectDir, `${codec}.topic`), `${topic}\n`)
    fs.writeFileSync(
      path.join(args.expectDir, `${codec}.expected`),
      want.map(m => `${m.partition}|${m.offset}|${m.key}|${m.value === null ? -1 : m.value.length}\n`).join('')
    )
  }
  await producer.disconnect()

  const listed = await admin.listTopics()
  for (const topic of Object.values(topics)) {
    if (!listed.includes(topic)) fail(`listTopics misses ${topic}`)
  }
  const { topics: metadata } = await admin.fetchTopicMetadata({ topics: Object.values(topics) })
  for (const t of metadata) {
    if (!args.mock && t.partitions.length !== PARTITIONS) fail(`${t.name}: ${t.partitions.length} partitions`)
    for (const p of t.partitions) {
      if (p.partitionErrorCode !== 0 || p.leader < 0) fail(`${t.name}/${p.partitionId}: no leader`)
    }
  }
  for (const topic of Object.values(topics)) {
    const offsets = await admin.fetchTopicOffsets(topic)
    for (const o of offsets.filter(o => o.partition < PARTITIONS)) {
      if (o.low !== '0' || o.high !== String(PER_PARTITION)) {
        fail(`${topic}/${o.partition}: offsets low ${o.low} high ${o.high}, want 0 and ${PER_PARTITION}`)
      }
    }
  }
  note('listTopics, fetchTopicMetadata and fetchTopicOffsets agree')

  const cluster = createCluster(kafka)
  await cluster.connect()
  for (const [codec, topic] of Object.entries(topics)) {
    await cluster.addTargetTopic(topic)
    await cluster.refreshMetadata()
    const want = expectedMessages(codec)
    const got = []
    for (let p = 0; p < PARTITIONS; p++) {
      got.push(...(await fetchPartition(cluster, topic, p, PER_PARTITION)))
    }
    compare(topic, want, got)
    note(`${codec}: ${want.length} messages read back exactly (kafkajs Fetch, no group)`)
  }
  await cluster.disconnect()
  await admin.disconnect()
  note('PASS')
}

main().catch(e => fail(e.stack || String(e)))
