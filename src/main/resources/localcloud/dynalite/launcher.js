// Starts dynalite for vodflow's embedded DynamoDB.
//
// The JVM that spawns this process keeps its stdin open and never writes to it. When the JVM goes
// away, even by SIGKILL, the operating system closes that pipe, stdin ends, and so does this process:
// no orphaned Node process outlives dev mode or a test run.
'use strict'

const dynalite = require('dynalite')

const args = {}
for (let i = 2; i < process.argv.length; i += 2) {
  args[process.argv[i].replace(/^--/, '')] = process.argv[i + 1]
}

const server = dynalite({
  path: args.path,
  createTableMs: 0,
  deleteTableMs: 0,
  updateTableMs: 0,
})

server.on('error', (err) => {
  console.error(`dynalite failed: ${err.message}`)
  process.exit(1)
})

server.listen(Number(args.port), args.host, () => {
  const address = server.address()
  console.log(`dynalite listening on ${address.address}:${address.port}`)
})

process.stdin.on('end', () => process.exit(0))
process.stdin.on('error', () => process.exit(0))
process.stdin.resume()
process.on('SIGTERM', () => process.exit(0))
process.on('SIGINT', () => process.exit(0))
