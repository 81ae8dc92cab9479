// Source patches applied to the vendored FerretDB module before `go build` (see
// ferretdbBinary in stack/provision.mjs). Each names the exact upstream text it
// replaces, which must occur exactly once, so a FerretDB upgrade that changes it fails
// the build loudly instead of silently dropping the fix. Every fix has a regression test
// in test/regressions/ that fails without it.

// Upstream queries `_ferretdb_sjson->'$._id'` but creates the unique _id index on
// `_ferretdb_sjson->"_id"`. SQLite uses an expression index only for the identical
// expression, so every find/update/delete by _id scanned the table: a replace by _id
// took 44 ms at 4,000 documents, growing with the collection; patched 2.0 ms at
// 4,000 and 2.7 ms at 20,000 (same value, index-matching form).
const idIndex = 'find/update/delete by _id use the _id index instead of scanning the table';

export const ferretdbPatches = [
  {
    file: 'vendor/github.com/FerretDB/FerretDB/internal/backends/sqlite/metadata/metadata.go',
    find: `IDColumn = DefaultColumn + "->'$._id'"`,
    replace: `IDColumn = DefaultColumn + \`->"_id"\` // order-service patch: match the _id index expression`,
    why: idIndex,
  },
];
