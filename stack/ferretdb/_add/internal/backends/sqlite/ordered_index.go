// order-service addition (stack/ferretdb/patches.mjs): finds that read in index order.
//
// Upstream reads every document of the collection for a find that filters on a nested
// field or sorts, then filters and sorts them all in Go: a list of 20 orders out of
// 20,000 took seconds. When a find's top-level string equalities and its sort are an
// index's key (the equality fields first, in any order, then the sort keys, all in the
// index's directions or all reversed), this reads through that index in the sort's
// order instead; the handler still filters every document and stops at the limit.
//
// Non-unique indexes store SQL values (metadata.IndexKeyExpression), so the read is in
// MongoDB's order as long as every document holds, at every field of the index, no array
// on the path and a string, a number, null or nothing. Like MongoDB's multikey flag, this
// is known per index: every insert and update marks the indexes a document breaks it for
// before writing (for good, until restart), and an index is checked once, by a scan, at
// its first use. A read that meets such a document anyway (written while it ran) fails
// instead of returning documents out of order.

package sqlite

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"

	"github.com/FerretDB/FerretDB/internal/backends"
	"github.com/FerretDB/FerretDB/internal/backends/sqlite/metadata"
	"github.com/FerretDB/FerretDB/internal/types"
	"github.com/FerretDB/FerretDB/internal/util/fsql"
	"github.com/FerretDB/FerretDB/internal/util/iterator"
	"github.com/FerretDB/FerretDB/internal/util/lazyerrors"
)

// orderedIndexKey names one index's key in one collection table.
type orderedIndexKey struct {
	db, table, index, key string
}

// orderedIndexState: checked once scanned; inexact once any document broke the rule.
type orderedIndexState struct {
	checked, inexact bool
}

var orderedIndexes = struct {
	mu    sync.Mutex
	state map[orderedIndexKey]*orderedIndexState
	scan  sync.Mutex // one first-use scan at a time
}{state: map[orderedIndexKey]*orderedIndexState{}}

func stateKey(dbName string, meta *metadata.Collection, index *metadata.IndexInfo) orderedIndexKey {
	return orderedIndexKey{dbName, meta.TableName, index.Name, fmt.Sprint(index.Key)}
}

// stateOf returns the index's state; it must be called with orderedIndexes.mu held.
func stateOf(k orderedIndexKey) *orderedIndexState {
	s := orderedIndexes.state[k]
	if s == nil {
		s = new(orderedIndexState)
		orderedIndexes.state[k] = s
	}

	return s
}

// orderedIndexCandidates returns the indexes whose order can serve a sort (non-unique).
func orderedIndexCandidates(meta *metadata.Collection) []*metadata.IndexInfo {
	var res []*metadata.IndexInfo

	for i := range meta.Settings.Indexes {
		if !meta.Settings.Indexes[i].Unique {
			res = append(res, &meta.Settings.Indexes[i])
		}
	}

	return res
}

// exactAt reports whether doc's value at the dotted field is one SQLite orders as MongoDB does.
func exactAt(doc *types.Document, field string) bool {
	var v any = doc

	for _, p := range strings.Split(field, ".") {
		d, ok := v.(*types.Document)
		if !ok {
			// a scalar or null on the path: MongoDB and SQLite both see nothing there
			_, isArray := v.(*types.Array)
			return !isArray
		}

		if v, ok = lookup(d, p); !ok {
			return true
		}
	}

	switch v := v.(type) {
	case string, int32, int64, types.NullType:
		return true
	case float64:
		return !math.IsNaN(v) && !math.IsInf(v, 0)
	default:
		return false
	}
}

// lookup returns the document's field value and whether the field is there.
func lookup(d *types.Document, field string) (any, bool) {
	v, err := d.Get(field)
	return v, err == nil
}

// markInexact marks one index: some document breaks the rule for it.
func markInexact(k orderedIndexKey) {
	orderedIndexes.mu.Lock()
	defer orderedIndexes.mu.Unlock()

	stateOf(k).inexact = true
}

func exactFor(doc *types.Document, index *metadata.IndexInfo) bool {
	for _, k := range index.Key {
		if !exactAt(doc, k.Field) {
			return false
		}
	}

	return true
}

// markInexactIndexes marks the indexes that docs break the rule for; InsertAll and
// UpdateAll call it before they write.
func markInexactIndexes(dbName string, meta *metadata.Collection, docs []*types.Document) {
	if meta == nil {
		return
	}

	for _, index := range orderedIndexCandidates(meta) {
		for _, doc := range docs {
			if !exactFor(doc, index) {
				markInexact(stateKey(dbName, meta, index))
				break
			}
		}
	}
}

// indexIsExact reports whether reads through the index come in MongoDB's order. At the
// first use of any of the collection's indexes, one scan checks all of them.
func indexIsExact(ctx context.Context, db *fsql.DB, dbName string, meta *metadata.Collection, index *metadata.IndexInfo) (bool, error) {
	known := func() (exact, ok bool) {
		orderedIndexes.mu.Lock()
		defer orderedIndexes.mu.Unlock()

		s := stateOf(stateKey(dbName, meta, index))

		return s.checked && !s.inexact, s.checked || s.inexact
	}

	if exact, ok := known(); ok {
		return exact, nil
	}

	orderedIndexes.scan.Lock()
	defer orderedIndexes.scan.Unlock()

	if exact, ok := known(); ok {
		return exact, nil
	}

	candidates := orderedIndexCandidates(meta)
	exact := make([]bool, len(candidates))

	for i := range exact {
		exact[i] = true
	}

	rows, err := db.QueryContext(ctx, fmt.Sprintf(`SELECT %s FROM %q`, metadata.DefaultColumn, meta.TableName))
	if err != nil {
		return false, lazyerrors.Error(err)
	}

	iter := newQueryIterator(ctx, rows, false)
	defer iter.Close()

	for {
		_, doc, err := iter.Next()
		if errors.Is(err, iterator.ErrIteratorDone) {
			break
		}

		if err != nil {
			return false, lazyerrors.Error(err)
		}

		for i, c := range candidates {
			exact[i] = exact[i] && exactFor(doc, c)
		}
	}

	orderedIndexes.mu.Lock()
	for i, c := range candidates {
		s := stateOf(stateKey(dbName, meta, c))
		s.checked = true
		s.inexact = s.inexact || !exact[i]
	}
	orderedIndexes.mu.Unlock()

	exactNow, _ := known()

	return exactNow, nil
}

// servingIndex returns the index whose key is the filter's top-level string equalities
// followed by the sort's keys (all in its directions or all reversed), and those
// equalities in the index's order.
func servingIndex(meta *metadata.Collection, filter, sort *types.Document) (*metadata.IndexInfo, []string) {
	if sort.Len() == 0 {
		return nil, nil
	}

	if _, dup := filter.FindDuplicateKey(); filter.Len() > 0 && dup {
		return nil, nil
	}

	equal := map[string]string{}

	for _, k := range filter.Keys() {
		if v, ok := lookup(filter, k); ok && !strings.HasPrefix(k, "$") {
			if s, isString := v.(string); isString {
				equal[k] = s
			}
		}
	}

	sortKeys := sort.Keys()

candidates:
	for _, index := range orderedIndexCandidates(meta) {
		if len(index.Key) < len(equal)+len(sortKeys) {
			continue
		}

		values := make([]string, 0, len(equal))

		for _, k := range index.Key[:len(equal)] {
			v, ok := equal[k.Field]
			if !ok {
				continue candidates
			}

			values = append(values, v)
		}

		same, reversed := true, true

		for i, field := range sortKeys {
			k := index.Key[len(equal)+i]
			if k.Field != field {
				continue candidates
			}

			v, _ := lookup(sort, field)
			descending := v == int64(-1)
			same = same && k.Descending == descending
			reversed = reversed && k.Descending != descending
		}

		if same || reversed {
			return index, values
		}
	}

	return nil, nil
}

var rangeOperators = map[string]string{"$lt": " < ", "$lte": " <= ", "$gt": " > ", "$gte": " >= "}

// indexOrderSQL returns the SELECT that reads the find's documents in the sort's order
// through a serving index, or ok = false when there is none or it is not exact.
func indexOrderSQL(ctx context.Context, db *fsql.DB, dbName string, meta *metadata.Collection, filter, sort *types.Document, comment string) (q string, args []any, index *metadata.IndexInfo, err error) {
	if db == nil || meta == nil || meta.Capped() {
		return "", nil, nil, nil
	}

	index, values := servingIndex(meta, filter, sort)
	if index == nil {
		return "", nil, nil, nil
	}

	exact, err := indexIsExact(ctx, db, dbName, meta, index)
	if err != nil || !exact {
		return "", nil, nil, err
	}

	var where []string

	for i, v := range values {
		where = append(where, metadata.IndexKeyExpression(index.Key[i].Field, false)+" = ?")
		args = append(args, v)
	}

	// A string range on the first sort key (a keyset page's bound) narrows the index scan.
	// SQLite also lets numbers through a `<` bound; the handler drops them, as MongoDB does.
	first := sort.Keys()[0]
	if bounds, ok := lookup(filter, first); ok {
		if d, isDoc := bounds.(*types.Document); isDoc {
			for _, op := range d.Keys() {
				bound, _ := lookup(d, op)
				if sqlOp, known := rangeOperators[op]; known {
					if s, isString := bound.(string); isString {
						where = append(where, metadata.IndexKeyExpression(first, false)+sqlOp+"?")
						args = append(args, s)
					}
				}
			}
		}
	}

	var orderBy []string

	for _, field := range sort.Keys() {
		dir := " ASC"
		if v, _ := lookup(sort, field); v == int64(-1) {
			dir = " DESC"
		}

		orderBy = append(orderBy, metadata.IndexKeyExpression(field, false)+dir)
	}

	q = prepareSelectClause(meta.TableName, comment, false, false)
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}

	q += " ORDER BY " + strings.Join(orderBy, ", ")

	return q, args, index, nil
}

// queryInIndexOrder runs the find through a serving index; handled = false leaves it to upstream.
func (c *collection) queryInIndexOrder(ctx context.Context, db *fsql.DB, meta *metadata.Collection, params *backends.QueryParams) (*backends.QueryResult, bool, error) {
	if params.IndexOrder.Len() == 0 || params.OnlyRecordIDs {
		return nil, false, nil
	}

	q, args, index, err := indexOrderSQL(ctx, db, c.dbName, meta, params.IndexFilter, params.IndexOrder, params.Comment)
	if err != nil || index == nil {
		return nil, err != nil, err
	}

	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, true, lazyerrors.Error(err)
	}

	iter := &exactOrderIterator{DocumentsIterator: newQueryIterator(ctx, rows, false), index: index, key: stateKey(c.dbName, meta, index)}

	return &backends.QueryResult{Iter: iter, Sorted: true}, true, nil
}

// exactOrderIterator fails the read at a document the index cannot order (written while it ran).
type exactOrderIterator struct {
	types.DocumentsIterator
	index *metadata.IndexInfo
	key   orderedIndexKey
}

func (iter *exactOrderIterator) Next() (struct{}, *types.Document, error) {
	unused, doc, err := iter.DocumentsIterator.Next()
	if err == nil && !exactFor(doc, iter.index) {
		markInexact(iter.key)
		iter.DocumentsIterator.Close()

		id, _ := lookup(doc, "_id")

		return unused, nil, lazyerrors.Errorf("index %q cannot order document %v (an array, or a value other than a string, number or null, at one of its fields); run the find again", iter.index.Name, id)
	}

	return unused, doc, err
}
