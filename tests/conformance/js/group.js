// kafkajs 2.2.4 consumer groups against rill-broker (run by tests/conformance/kafkajs_group_test.sh,
// which kills the broker with SIGKILL between the first two phases and restarts it on the
// same data dir and port).
//
// --phase before: create the topic, produce PARTITIONS * PER_PARTITION records, read them
//   all with a group consumer (autoCommit off, fromBeginning) committing twice with offset
//   metadata: the consumed positions half-way, then the end offsets. admin.fetchOffsets must
//   return each commit (offset and metadata); admin.describeGroups must show the group
//   Stable with this member and every partition assigned; listGroups must list it.
// --phase after: fetchOffsets must still return phase one's commit (kill -9 loses no
//   acknowledged commit); produce NEW_PER_PARTITION more per partition; a new consumer in
//   the same group (fromBeginning, so lost offsets would replay old records) must get
//   exactly the new records. Records of a partition arrive in offset order, so a resume
//   before the committed offset would deliver an old record before the last new one; any
//   record not in the expected set fails at once. Then admin.deleteGroups removes it.
// --phase pair: two consumers of one group split the partitions (both get some, none
//   twice) before anything is produced; then together they read every record exactly once
//   and commit, and describeGroups shows both members.
//
// kafkajs consumers fetch with read_committed isolation; rill-broker has no transactions
// yet, so that reads up to the high watermark.
//
// Usage: node group.js --bootstrap HOST:PORT --topic T --group G --phase before|after|pair
'use strict'

const { Kafka, AssignerProtocol, Partitioners, logLevel } = require('kafkajs')

const PARTITIONS = 3
const PER_PARTITION = 40
const NEW_PER_PARTITION = 10
const PAIR_PARTITIONS = 4
const PAIR_PER_PARTITION = 25
const TIMEOUT_MS = 60000
const CLIENT_ID = 'kafkajs-group-conformance'

function fail(message) {
  console.error(`[kafkajs_group] FAIL: ${message}`)
  process.exit(1)
}

function note(message) {
  console.log(`[kafkajs_group] ${message}`)
}

function parseArgs() {
  const args = {}
  const argv = process.argv.slice(2)
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--bootstrap') args.bootstrap = argv[++i]
    else if (argv[i] === '--topic') args.topic = argv[++i]
    else if (argv[i] === '--group') args.group = argv[++i]
    else if (argv[i] === '--phase') args.phase = argv[++i]
    else fail(`unknown argument ${argv[i]}`)
  }
  if (!args.bootstrap || !args.topic || !args.group || !['before', 'after', 'pair'].includes(args.phase)) {
    fail('usage: group.js --bootstrap H:P --topic T --group G --phase before|after|pair')
  }
  return args
}

// Polls `condition` (sync or async) every 50 ms until it holds; fails after TIMEOUT_MS.
async function waitFor(what, condition) {
  const deadline = Date.now() + TIMEOUT_MS
  while (!(await condition())) {
    if (Date.now() > deadline) fail(`timed out after ${TIMEOUT_MS} ms waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, 50))
  }
}

async function produce(kafka, topic, partitions, prefix, first, count) {
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner })
  await producer.connect()
  const messages = []
  for (let p = 0; p < partitions; p++) {
    for (let i = first; i < first + count; i++) {
      messages.push({ partition: p, key: `k${i}`, value: `${prefix}-${p}-${i}` })
    }
  }
  const result = await producer.send({ topic, acks: -1, messages })
  for (const r of result) {
    if (r.errorCode !== 0) fail(`${topic}/${r.partition}: produce error code ${r.errorCode}`)
  }
  await producer.disconnect()
}

// heartbeatInterval: a member learns of a rebalance within half a second.
function newConsumer(kafka, group) {
  return kafka.consumer({ groupId: group, heartbeatInterval: 500, maxWaitTimeInMs: 500 })
}

// Starts `consumer` on `topic`; `onMessage(partition, offset, value, count)` sees each record
// once (a record delivered twice fails), with the number read so far. Returns the map of
// everything read, "p@o" -> value, which keeps filling in.
async function startReading(consumer, topic, onMessage) {
  const got = new Map()
  await consumer.connect()
  await consumer.subscribe({ topics: [topic], fromBeginning: true })
  await consumer.run({
    autoCommit: false,
    eachMessage: async ({ partition, message }) => {
      const where = `${partition}@${message.offset}`
      if (got.has(where)) fail(`${topic}: ${where} delivered twice`)
      got.set(where, message.value.toString())
      if (onMessage) await onMessage(partition, Number(message.offset), message.value.toString(), got.size)
    },
  })
  return got
}

// {partition: [offset, metadata]} committed for `group` on `topic`, via admin.fetchOffsets
// (partitions without a commit report offset -1 and are left out).
async function fetchCommitted(admin, group, topic) {
  const [t] = await admin.fetchOffsets({ groupId: group, topics: [topic] })
  const out = {}
  for (const p of t.partitions) {
    if (Number(p.offset) >= 0) out[p.partition] = [Number(p.offset), p.metadata]
  }
  return out
}

async function expectCommitted(admin, group, topic, want, when) {
  const got = await fetchCommitted(admin, group, topic)
  if (JSON.stringify(got) !== JSON.stringify(want)) {
    fail(`${when}: fetchOffsets returned ${JSON.stringify(got)}, want ${JSON.stringify(want)}`)
  }
  note(`${when}: committed ${JSON.stringify(got)}`)
}

async function describe(admin, group) {
  const { groups } = await admin.describeGroups([group])
  if (groups.length !== 1 || groups[0].groupId !== group || groups[0].errorCode !== 0) {
    fail(`describeGroups(${group}) returned ${JSON.stringify(groups)}`)
  }
  return groups[0]
}

// The partitions of `topic` in a member's describeGroups assignment.
function assignedPartitions(member, topic) {
  const decoded = AssignerProtocol.MemberAssignment.decode(member.memberAssignment)
  return decoded && decoded.assignment[topic] ? [...decoded.assignment[topic]].sort() : []
}

function expectExactly(topic, got, want, what) {
  const extra = [...got.keys()].filter(k => !want.has(k) || want.get(k) !== got.get(k))
  const missing = [...want.keys()].filter(k => !got.has(k))
  if (extra.length || missing.length) {
    fail(`${topic}: ${what} read unexpected ${extra.slice(0, 10)} / missed ${missing.slice(0, 10)}`)
  }
}

function expected(prefix, partitions, first, count) {
  const want = new Map()
  for (let p = 0; p < partitions; p++) {
    for (let i = first; i < first + count; i++) want.set(`${p}@${i}`, `${prefix}-${p}-${i}`)
  }
  return want
}

async function phaseBefore(kafka, admin, topic, group) {
  const created = await admin.createTopics({
    waitForLeaders: true,
    topics: [{ topic, numPartitions: PARTITIONS, replicationFactor: 1 }],
  })
  if (created !== true) fail(`createTopics(${topic}) returned ${created}`)
  await produce(kafka, topic, PARTITIONS, 'before', 0, PER_PARTITION)
  const total = PARTITIONS * PER_PARTITION

  const consumer = newConsumer(kafka, group)
  const next = {} // partition -> offset after the last record read
  let halfway = null
  // First commit, half-way, from inside eachMessage so no further record is read meanwhile:
  // the positions reached so far, with metadata.
  const got = await startReading(consumer, topic, async (partition, offset, value, count) => {
    next[partition] = offset + 1
    if (count !== total / 2) return
    halfway = { ...next }
    await consumer.commitOffsets(
      Object.entries(halfway).map(([p, o]) => ({ topic, partition: Number(p), offset: String(o), metadata: `half-${p}` }))
    )
  })
  await waitFor(`half of the ${total} records and a commit`, () => halfway !== null)
  await expectCommitted(
    admin, group, topic,
    Object.fromEntries(Object.entries(halfway).map(([p, o]) => [p, [o, `half-${p}`]])),
    'half-way commit'
  )
  await waitFor(`all ${total} records`, () => got.size >= total)
  expectExactly(topic, got, expected('before', PARTITIONS, 0, PER_PARTITION), 'the group consumer')
  // Second commit: the end offsets.
  await consumer.commitOffsets(
    [...Array(PARTITIONS).keys()].map(p => ({ topic, partition: p, offset: String(PER_PARTITION), metadata: `final-${p}` }))
  )
  const final = Object.fromEntries([...Array(PARTITIONS).keys()].map(p => [p, [PER_PARTITION, `final-${p}`]]))
  await expectCommitted(admin, group, topic, final, 'final commit')

  const d = await describe(admin, group)
  if (d.state !== 'Stable' || d.protocolType !== 'consumer' || d.members.length !== 1) {
    fail(`describeGroups: state ${d.state}, protocol type ${d.protocolType}, ${d.members.length} members`)
  }
  const assigned = assignedPartitions(d.members[0], topic)
  if (d.members[0].clientId !== CLIENT_ID || assigned.join() !== '0,1,2') {
    fail(`describeGroups: member ${d.members[0].clientId} assigned ${assigned}`)
  }
  const { groups } = await admin.listGroups()
  if (!groups.some(g => g.groupId === group && g.protocolType === 'consumer')) {
    fail(`listGroups lacks ${group}: ${JSON.stringify(groups)}`)
  }
  note(`describeGroups: ${group} Stable, protocol ${d.protocol}, member ${d.members[0].memberId} on ${d.members[0].clientHost} with partitions ${assigned}; listGroups lists it`)
  await consumer.disconnect() // leaves the group
  await waitFor(`${group} to be Empty`, async () => (await describe(admin, group)).state === 'Empty')
  note(`read ${total} records with 2 commits (offset metadata kept); group Empty after disconnect`)
}

async function phaseAfter(kafka, admin, topic, group) {
  // Before anyone joins: the commit came back from __consumer_offsets.
  const final = Object.fromEntries([...Array(PARTITIONS).keys()].map(p => [p, [PER_PARTITION, `final-${p}`]]))
  await expectCommitted(admin, group, topic, final, 'after restart')
  if (!(await admin.listGroups()).groups.some(g => g.groupId === group)) {
    fail(`after restart, listGroups lacks ${group}`)
  }
  await produce(kafka, topic, PARTITIONS, 'after', PER_PARTITION, NEW_PER_PARTITION)
  const want = expected('after', PARTITIONS, PER_PARTITION, NEW_PER_PARTITION)

  const consumer = newConsumer(kafka, group)
  const got = await startReading(consumer, topic, async (partition, offset, value) => {
    if (want.get(`${partition}@${offset}`) !== value) {
      fail(`${topic}: resumed consumer read ${partition}@${offset} (${value}), before the committed offset`)
    }
  })
  await waitFor(`the ${want.size} new records`, () => got.size >= want.size)
  expectExactly(topic, got, want, 'the resumed consumer')
  const end = PER_PARTITION + NEW_PER_PARTITION
  await consumer.commitOffsets(
    [...Array(PARTITIONS).keys()].map(p => ({ topic, partition: p, offset: String(end), metadata: 'resumed' }))
  )
  await expectCommitted(
    admin, group, topic,
    Object.fromEntries([...Array(PARTITIONS).keys()].map(p => [p, [end, 'resumed']])),
    'resumed consumer'
  )
  await consumer.disconnect()
  note(`resumed at the committed offsets: exactly the ${want.size} new records`)

  await waitFor(`${group} to be Empty`, async () => (await describe(admin, group)).state === 'Empty')
  const deleted = await admin.deleteGroups([group])
  if (deleted.length !== 1 || deleted[0].groupId !== group || deleted[0].errorCode !== 0) {
    fail(`deleteGroups(${group}) returned ${JSON.stringify(deleted)}`)
  }
  if ((await admin.listGroups()).groups.some(g => g.groupId === group)) {
    fail(`${group} is still listed after deleteGroups`)
  }
  if (Object.keys(await fetchCommitted(admin, group, topic)).length !== 0) {
    fail(`${group} still has committed offsets after deleteGroups`)
  }
  note(`deleteGroups removed ${group} and its offsets`)
}

async function phasePair(kafka, admin, topic, group) {
  const created = await admin.createTopics({
    waitForLeaders: true,
    topics: [{ topic, numPartitions: PAIR_PARTITIONS, replicationFactor: 1 }],
  })
  if (created !== true) fail(`createTopics(${topic}) returned ${created}`)
  const members = [0, 1].map(() => ({ consumer: newConsumer(kafka, group), assigned: [], records: [] }))
  for (const m of members) {
    // GROUP_JOIN fires after every join + sync with the member's new assignment.
    m.consumer.on(m.consumer.events.GROUP_JOIN, e => {
      m.assigned = [...(e.payload.memberAssignment[topic] || [])].sort()
    })
    await m.consumer.connect()
    await m.consumer.subscribe({ topics: [topic], fromBeginning: true })
    await m.consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        m.records.push([partition, Number(message.offset), message.value.toString()])
      },
    })
  }
  // Produce only once both hold partitions, so no record is read before a rebalance.
  await waitFor('both members to hold disjoint partitions covering the topic', () => {
    const [a, b] = members.map(m => m.assigned)
    const all = new Set([...a, ...b])
    return a.length > 0 && b.length > 0 && all.size === a.length + b.length && all.size === PAIR_PARTITIONS
  })
  note(`two members split the partitions: ${JSON.stringify(members.map(m => m.assigned))}`)
  const d = await describe(admin, group)
  if (d.state !== 'Stable' || d.members.length !== 2) {
    fail(`describeGroups with two members: state ${d.state}, ${d.members.length} members`)
  }

  await produce(kafka, topic, PAIR_PARTITIONS, 'pair', 0, PAIR_PER_PARTITION)
  const total = PAIR_PARTITIONS * PAIR_PER_PARTITION
  await waitFor(`${total} records between the two members`,
    () => members.reduce((n, m) => n + m.records.length, 0) >= total)
  const seen = new Map()
  for (const [i, m] of members.entries()) {
    for (const [p, o, value] of m.records) {
      if (seen.has(`${p}@${o}`)) fail(`${topic}/${p}@${o} read twice`)
      if (!m.assigned.includes(p)) fail(`member ${i} read ${topic}/${p}, which it was not assigned`)
      seen.set(`${p}@${o}`, value)
    }
    await m.consumer.commitOffsets(
      m.assigned.map(p => ({ topic, partition: p, offset: String(PAIR_PER_PARTITION) }))
    )
  }
  expectExactly(topic, seen, expected('pair', PAIR_PARTITIONS, 0, PAIR_PER_PARTITION), 'the two members')
  const want = Object.fromEntries([...Array(PAIR_PARTITIONS).keys()].map(p => [p, [PAIR_PER_PARTITION, null]]))
  await expectCommitted(admin, group, topic, want, 'both members')
  for (const m of members) await m.consumer.disconnect()
  note(`two members read all ${total} records exactly once and committed the end offsets`)
}

async function main() {
  const args = parseArgs()
  const kafka = new Kafka({
    clientId: CLIENT_ID,
    brokers: [args.bootstrap],
    logLevel: logLevel.WARN,
    requestTimeout: TIMEOUT_MS,
    retry: { retries: 5 },
  })
  const admin = kafka.admin()
  await admin.connect()
  const phases = { before: phaseBefore, after: phaseAfter, pair: phasePair }
  await phases[args.phase](kafka, admin, args.topic, args.group)
  await admin.disconnect()
  note(`PASS (${args.phase})`)
}

main().catch(e => fail(e.stack || String(e)))
