// kafkajs 2.2.4 transactions against rill-broker (run by tests/conformance/kafkajs_txn_test.sh):
// a transactional producer commits one transaction (with sendOffsets for a group) and
// aborts another; a default (read_committed) kafkajs consumer must see exactly the
// committed records, and admin.fetchOffsets the offsets sent in the committed transaction.
//
// Usage: node txn.js --bootstrap HOST:PORT --topic T
'use strict'

const { Kafka, logLevel } = require('kafkajs')

function fail(message) {
  console.error(`[kafkajs_txn] FAIL: ${message}`)
  process.exit(1)
}

async function main() {
  const argv = process.argv.slice(2)
  const args = {}
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--bootstrap') args.bootstrap = argv[++i]
    else if (argv[i] === '--topic') args.topic = argv[++i]
    else fail(`unknown argument ${argv[i]}`)
  }
  if (!args.bootstrap || !args.topic) fail('usage: txn.js --bootstrap H:P --topic T')
  const kafka = new Kafka({ clientId: 'kafkajs-txn', brokers: [args.bootstrap], logLevel: logLevel.WARN })
  const admin = kafka.admin()
  await admin.connect()
  await admin.createTopics({ topics: [{ topic: args.topic, numPartitions: 1 }], waitForLeaders: true })

  const producer = kafka.producer({ transactionalId: `${args.topic}-txn`, idempotent: true, maxInFlightRequests: 1 })
  await producer.connect()
  const group = `${args.topic}-g`
  let txn = await producer.transaction()
  await txn.send({ topic: args.topic, messages: [0, 1, 2, 3, 4].map((i) => ({ value: `committed-${i}` })) })
  await txn.sendOffsets({ consumerGroupId: group, topics: [{ topic: args.topic, partitions: [{ partition: 0, offset: '3' }] }] })
  await txn.commit()
  txn = await producer.transaction()
  await txn.send({ topic: args.topic, messages: [{ value: 'aborted-0' }, { value: 'aborted-1' }] })
  await txn.abort()
  txn = await producer.transaction()
  await txn.send({ topic: args.topic, messages: [{ value: 'committed-5' }] })
  await txn.commit()
  await producer.disconnect()

  const offsets = await admin.fetchOffsets({ groupId: group, topics: [args.topic] })
  const committed = offsets[0].partitions.find((p) => p.partition === 0).offset
  if (committed !== '3') fail(`fetchOffsets returned ${committed}, expected 3`)
  await admin.disconnect()

  const expected = ['committed-0', 'committed-1', 'committed-2', 'committed-3', 'committed-4', 'committed-5']
  const got = []
  const consumer = kafka.consumer({ groupId: `${args.topic}-reader` })  // read_committed by default
  await consumer.connect()
  await consumer.subscribe({ topic: args.topic, fromBeginning: true })
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out with ${JSON.stringify(got)}`)), 60000)
    consumer.run({
      eachMessage: async ({ message }) => {
        got.push(message.value.toString())
        if (got.length >= expected.length) {
          clearTimeout(timer)
          resolve()
        }
      },
    }).catch(reject)
  }).catch((e) => fail(e.message))
  await consumer.disconnect()
  if (JSON.stringify(got) !== JSON.stringify(expected)) fail(`read_committed consumer saw ${JSON.stringify(got)}`)
  console.log('[kafkajs_txn] PASS: committed visible, aborted hidden, offsets committed in the transaction')
}

main().catch((e) => fail(e.stack || String(e)))
