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

// Upstream update, findAndModify and delete query, filter in Go, then write in a separate
// transaction: 200 concurrent $inc upserts on one _id ended at n = 50 with ~100 E11000
// errors, and a write conditional on a revision could overwrite or delete a newer one.
// One lock per database, held from the query to the write of each statement, makes each
// statement atomic as on MongoDB (SQLite serialises a database's writers anyway; finds
// and inserts do not take it). test/regressions/ferretdb-atomic-update.int.test.ts
const atomicWrites = 'update, findAndModify and delete are atomic per statement (no lost updates, no duplicate upserts)';

// Upstream's limit iterator stops without closing the iterator below it, and the update
// command closes its statements' queries only when the whole command ends: each update
// statement that matched a document kept an SQLite query open on one of the database's
// 100 pooled connections, so at 100 such statements the next write waited for a free
// connection forever and the database hung. test/regressions/ferretdb-bulk-update-leak.int.test.ts
const limitReleasesQuery = 'a limit releases the query below it: update commands with 100+ statements no longer hang the database';

// Upstream pushes a filter down to SQLite only when it is a lone _id equality, so
// `{_id: {$in: [...]}}` (the processor's batch read) and `{_id, revision}` (a write
// conditional on the revision) scanned the whole table. Both now narrow the query by the
// _id index; the handler still filters every row in Go, so this only drops rows that
// cannot match. test/regressions/ferretdb-id-in-index.int.test.ts
const idPushdown = '_id $in and _id next to other fields use the _id index instead of scanning the table';

// Upstream reads every document for a find that filters on a nested field or sorts, and
// sorts them all in Go: a list page of 20 orders out of 20,000 took seconds. Non-unique
// indexes now store SQL values, and a find whose string equalities and sort are an
// index's key reads through it in order and stops at the limit, while the index is known
// to order its documents as MongoDB would; a range or a `$in` of strings on the first
// sort key narrows that read (the processor's batch lookup of applied commands by
// commandKey). The rest is in _add/internal/backends/sqlite/ordered_index.go.
// test/regressions/ferretdb-index-order.int.test.ts
const indexOrder = 'a find whose equalities and sort are an index key reads through that index in order, exactly as MongoDB orders';

/** New files: _add/<path> is copied to vendor/github.com/FerretDB/FerretDB/<path>, which must not exist. */
export const ferretdbAdditions = [
  { file: 'internal/backends/sqlite/metadata/index_expression.go', why: indexOrder },
  { file: 'internal/backends/sqlite/ordered_index.go', why: indexOrder },
];

export const ferretdbPatches = [
  {
    file: 'vendor/github.com/FerretDB/FerretDB/internal/backends/sqlite/metadata/metadata.go',
    find: `IDColumn = DefaultColumn + "->'$._id'"`,
    replace: `IDColumn = DefaultColumn + \`->"_id"\` // order-service patch: match the _id index expression`,
    why: idIndex,
  },
  {
    file: 'vendor/github.com/FerretDB/FerretDB/internal/handler/msg_update.go',
    find: `import (
	"context"
	"fmt"
`,
    replace: `import (
	"context"
	"fmt"
	"sync"
`,
    why: atomicWrites,
  },
  {
    file: 'vendor/github.com/FerretDB/FerretDB/internal/handler/msg_update.go',
    find: `// MsgUpdate implements \`update\` command.
`,
    replace: `// order-service patch: one lock per database, held from the query to the write of each
// update, findAndModify and delete statement, makes the statement atomic as on MongoDB.
var databaseWriteLocks sync.Map // database name -> *sync.Mutex

// lockDatabaseWrites waits for the database's write lock and returns its unlock (idempotent).
func lockDatabaseWrites(db string) func() {
	m, _ := databaseWriteLocks.LoadOrStore(db, new(sync.Mutex))
	m.(*sync.Mutex).Lock()

	return sync.OnceFunc(m.(*sync.Mutex).Unlock)
}

// MsgUpdate implements \`update\` command.
`,
    why: atomicWrites,
  },
  {
    file: 'vendor/github.com/FerretDB/FerretDB/internal/handler/msg_update.go',
    find: `		res, err := c.Query(ctx, &qp)
		if err != nil {
			return 0, 0, nil, lazyerrors.Error(err)
		}
`,
    replace: `		// order-service patch: this statement's query and write under the database's write lock
		unlock := lockDatabaseWrites(params.DB)
		defer unlock()

		res, err := c.Query(ctx, &qp)
		if err != nil {
			return 0, 0, nil, lazyerrors.Error(err)
		}
`,
    why: atomicWrites,
  },
  {
    file: 'vendor/github.com/FerretDB/FerretDB/internal/handler/msg_update.go',
    find: `		result, err := common.UpdateDocument(ctx, c, "update", iter, &u)
`,
    replace: `		result, err := common.UpdateDocument(ctx, c, "update", iter, &u)
		unlock()
`,
    why: atomicWrites,
  },
  {
    file: 'vendor/github.com/FerretDB/FerretDB/internal/handler/msg_findandmodify.go',
    find: `	queryRes, err := c.Query(ctx, &qp)
`,
    replace: `	// order-service patch: the query and the write under the database's write lock (see lockDatabaseWrites)
	defer lockDatabaseWrites(params.DB)()

	queryRes, err := c.Query(ctx, &qp)
`,
    why: atomicWrites,
  },
  {
    file: 'vendor/github.com/FerretDB/FerretDB/internal/handler/msg_delete.go',
    find: `		d, err = h.execDelete(connCtx, c, &p)
`,
    replace: `		// order-service patch: the query and the delete under the database's write lock (see lockDatabaseWrites)
		d, err = func() (int32, error) {
			defer lockDatabaseWrites(params.DB)()
			return h.execDelete(connCtx, c, &p)
		}()
`,
    why: atomicWrites,
  },
  {
    file: 'vendor/github.com/FerretDB/FerretDB/internal/handler/common/limit_iterator.go',
    find: `	if n >= iter.limit {
		return unused, nil, iterator.ErrIteratorDone
	}`,
    replace: `	if n >= iter.limit {
		// order-service patch: release the backend query (and its pooled connection) now;
		// callers close the chain only at the end of the command.
		iter.iter.Close()
		return unused, nil, iterator.ErrIteratorDone
	}`,
    why: limitReleasesQuery,
  },
  {
    file: 'vendor/github.com/FerretDB/FerretDB/internal/backends/sqlite/query.go',
    find: `	"github.com/FerretDB/FerretDB/internal/backends/sqlite/metadata"
	"github.com/FerretDB/FerretDB/internal/types"
`,
    replace: `	"github.com/FerretDB/FerretDB/internal/backends/sqlite/metadata"
	"github.com/FerretDB/FerretDB/internal/handler/sjson"
	"github.com/FerretDB/FerretDB/internal/types"
`,
    why: idPushdown,
  },
  {
    file: 'vendor/github.com/FerretDB/FerretDB/internal/backends/sqlite/query.go',
    find: `// prepareOrderByClause returns ORDER BY clause for given sort document.
`,
    replace: `// prepareIDWhereClause returns the WHERE clause and arguments that narrow a query to the
// filter's top-level _id condition through the _id index, or "" and nil.
//
// order-service patch: upstream pushed down only a lone _id equality. Top-level conditions
// are ANDed and the handler still filters every row, so the _id condition alone is safe
// next to any other. Only strings and ObjectIDs, as upstream: numbers of different BSON
// types that compare equal are stored differently.
func prepareIDWhereClause(filter *types.Document) (string, []any) {
	// Get panics on a duplicated key
	if filter.Len() == 0 {
		return "", nil
	}

	if _, dup := filter.FindDuplicateKey(); dup {
		return "", nil
	}

	v, _ := filter.Get("_id")

	var ids []any

	switch v := v.(type) {
	case string, types.ObjectID:
		return fmt.Sprintf(\` WHERE %s = ?\`, metadata.IDColumn), []any{string(must.NotFail(sjson.MarshalSingleValue(v)))}
	case *types.Document:
		if v.Len() != 1 {
			return "", nil
		}

		in, _ := v.Get("$in")
		arr, ok := in.(*types.Array)

		// SQLite allows at most 32,766 parameters per statement
		if !ok || arr.Len() > 32_000 {
			return "", nil
		}

		for i := range arr.Len() {
			id := must.NotFail(arr.Get(i))

			switch id.(type) {
			case string, types.ObjectID:
				ids = append(ids, string(must.NotFail(sjson.MarshalSingleValue(id))))
			default:
				return "", nil
			}
		}
	default:
		return "", nil
	}

	if len(ids) == 0 {
		return \` WHERE FALSE\`, nil
	}

	placeholders := strings.Repeat(", ?", len(ids))[2:]

	return fmt.Sprintf(\` WHERE %s IN (%s)\`, metadata.IDColumn, placeholders), ids
}

// prepareOrderByClause returns ORDER BY clause for given sort document.
`,
    why: idPushdown,
  },
  {
    file: 'vendor/github.com/FerretDB/FerretDB/internal/backends/sqlite/collection.go',
    find: `	// that logic should exist in one place
	// TODO https://github.com/FerretDB/FerretDB/issues/3235
	if params.Filter.Len() == 1 {
		v, _ := params.Filter.Get("_id")
		switch v.(type) {
		case string, types.ObjectID:
			whereClause = fmt.Sprintf(\` WHERE %s = ?\`, metadata.IDColumn)
			args = []any{string(must.NotFail(sjson.MarshalSingleValue(v)))}
		}
	}
`,
    replace: `	// order-service patch: _id equality or $in, also next to other fields
	whereClause, args = prepareIDWhereClause(params.Filter)
`,
    why: idPushdown,
  },
  {
    file: 'vendor/github.com/FerretDB/FerretDB/internal/backends/sqlite/collection.go',
    find: `	// that logic should exist in one place
	// TODO https://github.com/FerretDB/FerretDB/issues/3235
	if params.Filter.Len() == 1 {
		v, _ := params.Filter.Get("_id")
		switch v.(type) {
		case string, types.ObjectID:
			filterPushdown = true
			whereClause = fmt.Sprintf(\` WHERE %s = ?\`, metadata.IDColumn)
			args = []any{string(must.NotFail(sjson.MarshalSingleValue(v)))}
		}
	}
`,
    replace: `	// order-service patch: the same _id pushdown as Query
	whereClause, args = prepareIDWhereClause(params.Filter)
	filterPushdown = whereClause != ""
`,
    why: idPushdown,
  },
  {
    file: 'vendor/github.com/FerretDB/FerretDB/internal/backends/sqlite/metadata/registry.go',
    find: `			fields := strings.Split(key.Field, ".")
			for j, f := range fields {
				fields[j] = fmt.Sprintf("%q", f)
			}

			columns[i] = fmt.Sprintf("%s->%s", DefaultColumn, strings.Join(fields, "->"))
`,
    replace: `			// order-service patch: SQL values for non-unique indexes (index_expression.go)
			columns[i] = IndexKeyExpression(key.Field, index.Unique)
`,
    why: indexOrder,
  },
  {
    file: 'vendor/github.com/FerretDB/FerretDB/internal/backends/collection.go',
    find: `	OnlyRecordIDs bool
	Comment       string
}

// QueryResult represents the results of Collection.Query method.
type QueryResult struct {
	Iter types.DocumentsIterator
}
`,
    replace: `	OnlyRecordIDs bool
	Comment       string

	// order-service patch: a find's sort and whole filter, for a read in index order
	IndexOrder  *types.Document
	IndexFilter *types.Document
}

// QueryResult represents the results of Collection.Query method.
type QueryResult struct {
	Iter types.DocumentsIterator

	// order-service patch: Iter returns documents in IndexOrder's order
	Sorted bool
}
`,
    why: indexOrder,
  },
  {
    file: 'vendor/github.com/FerretDB/FerretDB/internal/backends/collection.go',
    find: `type ExplainParams struct {
	Filter *types.Document
	Sort   *types.Document
	Limit  int64
}
`,
    replace: `type ExplainParams struct {
	Filter *types.Document
	Sort   *types.Document
	Limit  int64

	// order-service patch: as in QueryParams
	IndexOrder  *types.Document
	IndexFilter *types.Document
}
`,
    why: indexOrder,
  },
  {
    file: 'vendor/github.com/FerretDB/FerretDB/internal/backends/sqlite/collection.go',
    find: `	q := prepareSelectClause(meta.TableName, params.Comment, meta.Capped(), params.OnlyRecordIDs)
`,
    replace: `	// order-service patch: read in index order when an index serves the sort (ordered_index.go)
	if res, handled, err := c.queryInIndexOrder(ctx, db, meta, params); handled {
		return res, err
	}

	q := prepareSelectClause(meta.TableName, params.Comment, meta.Capped(), params.OnlyRecordIDs)
`,
    why: indexOrder,
  },
  {
    file: 'vendor/github.com/FerretDB/FerretDB/internal/backends/sqlite/collection.go',
    find: `	db := c.r.DatabaseGetExisting(ctx, c.dbName)
	meta := c.r.CollectionGet(ctx, c.dbName, c.name)

	err := db.InTransaction(ctx, func(tx *fsql.Tx) error {
`,
    replace: `	// order-service patch: the kinds of value written, noted before writing (ordered_index.go)
	defer holdWrites(c.dbName, c.name)()

	db := c.r.DatabaseGetExisting(ctx, c.dbName)
	meta := c.r.CollectionGet(ctx, c.dbName, c.name)

	recordKinds(c.dbName, meta, params.Docs)

	err := db.InTransaction(ctx, func(tx *fsql.Tx) error {
`,
    why: indexOrder,
  },
  {
    file: 'vendor/github.com/FerretDB/FerretDB/internal/backends/sqlite/collection.go',
    find: `func (c *collection) UpdateAll(ctx context.Context, params *backends.UpdateAllParams) (*backends.UpdateAllResult, error) {
	var res backends.UpdateAllResult
`,
    replace: `func (c *collection) UpdateAll(ctx context.Context, params *backends.UpdateAllParams) (*backends.UpdateAllResult, error) {
	var res backends.UpdateAllResult

	// order-service patch: see InsertAll
	defer holdWrites(c.dbName, c.name)()
`,
    why: indexOrder,
  },
  {
    file: 'vendor/github.com/FerretDB/FerretDB/internal/backends/sqlite/collection.go',
    find: `	err := c.r.IndexesCreate(ctx, c.dbName, c.name, indexes)
	if err != nil {
		return nil, lazyerrors.Error(err)
	}
`,
    replace: `	// order-service patch: with writes held off; a new collection's indexes need no scan (ordered_index.go)
	err := c.createIndexesChecked(ctx, func() error { return c.r.IndexesCreate(ctx, c.dbName, c.name, indexes) })
	if err != nil {
		return nil, lazyerrors.Error(err)
	}
`,
    why: indexOrder,
  },
  {
    file: 'vendor/github.com/FerretDB/FerretDB/internal/backends/sqlite/collection.go',
    find: `	q := fmt.Sprintf(\`UPDATE %q SET %s = ? WHERE %s = ?\`, meta.TableName, metadata.DefaultColumn, metadata.IDColumn)
`,
    replace: `	// order-service patch: the kinds of value written, noted before writing (ordered_index.go)
	recordKinds(c.dbName, meta, params.Docs)

	q := fmt.Sprintf(\`UPDATE %q SET %s = ? WHERE %s = ?\`, meta.TableName, metadata.DefaultColumn, metadata.IDColumn)
`,
    why: indexOrder,
  },
  {
    file: 'vendor/github.com/FerretDB/FerretDB/internal/backends/sqlite/collection.go',
    find: `	q := \`EXPLAIN QUERY PLAN \` + selectClause + whereClause + orderByClause
`,
    replace: `	q := \`EXPLAIN QUERY PLAN \` + selectClause + whereClause + orderByClause

	// order-service patch: explain the read in index order that Query would make (ordered_index.go)
	if indexQ, indexArgs, index, _, err := indexOrderSQL(ctx, db, c.dbName, meta, params.IndexFilter, params.IndexOrder, ""); err != nil {
		return nil, lazyerrors.Error(err)
	} else if index != nil {
		q, args = \`EXPLAIN QUERY PLAN \`+indexQ, indexArgs
		filterPushdown, sortPushdown = len(indexArgs) > 0, true
	}
`,
    why: indexOrder,
  },
  {
    file: 'vendor/github.com/FerretDB/FerretDB/internal/handler/msg_find.go',
    find: `	// Limit pushdown is not applied if:
`,
    replace: `	// order-service patch: the sort and the whole filter, for a read in index order (backends/sqlite/ordered_index.go)
	if !h.DisablePushdown && params.Sort.Len() > 0 && !params.Sort.Has("$natural") {
		qp.IndexOrder, qp.IndexFilter = params.Sort, params.Filter
	}

	// Limit pushdown is not applied if:
`,
    why: indexOrder,
  },
  {
    file: 'vendor/github.com/FerretDB/FerretDB/internal/handler/msg_find.go',
    find: `	iter, err := h.makeFindIter(queryRes.Iter, closer, params)
`,
    replace: `	// order-service patch: documents that come in the sort's order are not sorted again
	iterParams := params
	if queryRes.Sorted {
		unsorted := *params
		unsorted.Sort = must.NotFail(types.NewDocument())
		iterParams = &unsorted
	}

	iter, err := h.makeFindIter(queryRes.Iter, closer, iterParams)
`,
    why: indexOrder,
  },
  {
    file: 'vendor/github.com/FerretDB/FerretDB/internal/handler/msg_explain.go',
    find: `	res, err := coll.Explain(connCtx, qp)
`,
    replace: `	// order-service patch: as find does (msg_find.go)
	if !h.DisablePushdown && !params.Aggregate && params.Sort.Len() > 0 && !params.Sort.Has("$natural") {
		qp.IndexOrder, qp.IndexFilter = params.Sort, params.Filter
	}

	res, err := coll.Explain(connCtx, qp)
`,
    why: indexOrder,
  },
];
