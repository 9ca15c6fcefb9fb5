// kafkajs 2.2.4 idempotent producer against rill-broker (run by
// tests/conformance/kafkajs_idempotent_test.sh): InitProducerId, then batches carrying
// producer id, epoch and sequence numbers over several partitions; a group consumer then
// reads the topic back and every record must be there exactly once, in order per partition.
//
// Usage: node idempotent.js --bootstrap HOST:PORT --topic T --group G
'use strict'

const { Kafka, Partitioners, logLevel } = require('kafkajs')

const PARTITIONS = 3
const BATCHES = 20
const PER_BATCH = 50
const TIMEOUT_MS = 60000

function fail(message) {
  console.error(`[kafkajs_idempotent] FAIL: ${message}`)
  process.exit(1)
}

function parseArgs() {
  const args = {}
  const argv = process.argv.slice(2)
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--bootstrap') args.bootstrap = argv[++i]
    else if (argv[i] === '--topic') args.topic = argv[++i]
    else if (argv[i] === '--group') args.group = argv[++i]
    else fail(`unknown argument ${argv[i]}`)
  }
  if (!args.bootstrap || !args.topic || !args.group) {
    fail('usage: idempotent.js --bootstrap H:P --topic T --group G')
  }
  return args
}

async function main() {
  const args = parseArgs()
  const kafka = new Kafka({ clientId: 'kafkajs-idempotent', brokers: [args.bootstrap], logLevel: logLevel.WARN })
  const admin = kafka.admin()
  await admin.connect()
  await admin.createTopics({ topics: [{ topic: args.topic, numPartitions: PARTITIONS }], waitForLeaders: true })
  await admin.disconnect()

  // kafkajs requires maxInFlightRequests 1 with idempotence.
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
  })
  await producer.connect()
  const expected = new Map()  // partition -> values in order
  for (let b = 0; b < BATCHES; b++) {
    const messages = []
    for (let i = 0; i < PER_BATCH; i++) {
      const n = b * PER_BATCH + i
      const partition = n % PARTITIONS
      messages.push({ partition, value: `v${n}` })
      if (!expected.has(partition)) expected.set(partition, [])
      expected.get(partition).push(`v${n}`)
    }
    const result = await producer.send({ topic: args.topic, acks: -1, messages })
    for (const r of result) {
      if (r.errorCode !== 0) fail(`produce error ${r.errorCode} on partition ${r.partition}`)
    }
  }
  await producer.disconnect()

  const got = new Map()
  let total = 0
  const consumer = kafka.consumer({ groupId: args.group })
  await consumer.connect()
  await consumer.subscribe({ topic: args.topic, fromBeginning: true })
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out with ${total} records`)), TIMEOUT_MS)
    consumer.run({
      eachMessage: async ({ partition, message }) => {
        if (!got.has(partition)) got.set(partition, [])
        got.get(partition).push(message.value.toString())
        total++
        if (total === BATCHES * PER_BATCH) {
          clearTimeout(timer)
          resolve()
        }
      },
    }).catch(reject)
  }).catch((e) => fail(e.message))
  await consumer.disconnect()
  for (const [partition, values] of expected) {
    const actual = got.get(partition) || []
    if (JSON.stringify(actual) !== JSON.stringify(values)) {
      fail(`partition ${partition}: expected ${values.length} records in order, got ${actual.length}`)
    }
  }
  console.log(`[kafkajs_idempotent] PASS: ${total} records, each exactly once and in order`)
}

main().catch((e) => fail(e.stack || String(e)))
