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
// MongoDB's order as long as no document holds an array on the path of one of the
// index's fields, and each field holds strings and numbers, or dates, besides null and
// nothing. Like MongoDB's multikey flag, this is known per index: every insert and update
// adds the kinds of value it writes before writing (for good, until restart), and an
// index is checked once, by a scan, at its first use. A read that meets a document that
// breaks it anyway (written while it ran) fails instead of returning documents out of
// order.

package sqlite

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"time"

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

// The kinds of value an index field holds (null and missing are none: they sort first
// in both). SQLite orders numbers with strings, or dates (milliseconds) alone, as
// MongoDB does; not dates with numbers or strings, and nothing else at all.
const (
	kindNumberOrString uint8 = 1 << iota
	kindDate
	kindOther // an array on the path, a boolean, an ObjectID, a document, …
)

// orderedIndexState: checked once scanned; seen, per index field, the kinds met so far.
type orderedIndexState struct {
	checked bool
	seen    []uint8
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
func stateOf(k orderedIndexKey, fields int) *orderedIndexState {
	s := orderedIndexes.state[k]
	if s == nil {
		s = &orderedIndexState{seen: make([]uint8, fields)}
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

// kindAt returns the kind of doc's value at the dotted field (0 for null or nothing).
func kindAt(doc *types.Document, field string) uint8 {
	var v any = doc

	for _, p := range strings.Split(field, ".") {
		d, ok := v.(*types.Document)
		if !ok {
			// a scalar or null on the path: MongoDB and SQLite both see nothing there
			if _, isArray := v.(*types.Array); isArray {
				return kindOther
			}

			return 0
		}

		if v, ok = lookup(d, p); !ok {
			return 0
		}
	}

	switch v := v.(type) {
	case types.NullType:
		return 0
	case string, int32, int64:
		return kindNumberOrString
	case float64:
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return kindOther
		}

		return kindNumberOrString
	case time.Time:
		return kindDate
	default:
		return kindOther
	}
}

// lookup returns the document's field value and whether the field is there.
func lookup(d *types.Document, field string) (any, bool) {
	v, err := d.Get(field)
	return v, err == nil
}

// addKinds adds the kinds docs hold at the index's fields to seen.
func addKinds(seen []uint8, index *metadata.IndexInfo, docs ...*types.Document) {
	for _, doc := range docs {
		for i, k := range index.Key {
			seen[i] |= kindAt(doc, k.Field)
		}
	}
}

// exactKinds reports whether SQLite orders values of these kinds as MongoDB does.
func exactKinds(seen []uint8) bool {
	for _, kinds := range seen {
		if kinds&kindOther != 0 || kinds == kindNumberOrString|kindDate {
			return false
		}
	}

	return true
}

// recordKinds adds what docs hold to every candidate index's state; InsertAll and
// UpdateAll call it before they write.
func recordKinds(dbName string, meta *metadata.Collection, docs []*types.Document) {
	if meta == nil {
		return
	}

	for _, index := range orderedIndexCandidates(meta) {
		seen := make([]uint8, len(index.Key))
		addKinds(seen, index, docs...)
		mergeKinds(stateKey(dbName, meta, index), seen)
	}
}

// mergeKinds adds seen to the index's state and returns the state's kinds.
func mergeKinds(k orderedIndexKey, seen []uint8) []uint8 {
	orderedIndexes.mu.Lock()
	defer orderedIndexes.mu.Unlock()

	s := stateOf(k, len(seen))
	for i := range seen {
		s.seen[i] |= seen[i]
	}

	return slices.Clone(s.seen)
}

// collectionWrites holds one barrier per collection (database and collection name):
// writes share it from before they read the collection's indexes until they commit,
// index creation has it alone, so no write can slip past the kinds an index is checked with.
var collectionWrites sync.Map

func writesBarrier(dbName, collection string) *sync.RWMutex {
	b, _ := collectionWrites.LoadOrStore(dbName+"\x00"+collection, new(sync.RWMutex))
	return b.(*sync.RWMutex)
}

// holdWrites is called by InsertAll and UpdateAll before they read the collection's
// indexes; the returned func releases it after they commit.
func holdWrites(dbName, collection string) func() {
	b := writesBarrier(dbName, collection)
	b.RLock()

	return b.RUnlock
}

// createIndexesChecked creates indexes with writes held off and, when the collection is
// empty (a new collection's indexes), knows them checked: no scan at their first use.
func (c *collection) createIndexesChecked(ctx context.Context, create func() error) error {
	b := writesBarrier(c.dbName, c.name)
	b.Lock()
	defer b.Unlock()

	if err := create(); err != nil {
		return err
	}

	db := c.r.DatabaseGetExisting(ctx, c.dbName)
	meta := c.r.CollectionGet(ctx, c.dbName, c.name)

	if db == nil || meta == nil {
		return nil
	}

	rows, err := db.QueryContext(ctx, fmt.Sprintf(`SELECT 1 FROM %q LIMIT 1`, meta.TableName))
	if err != nil {
		return lazyerrors.Error(err)
	}

	empty := !rows.Next()
	if err = rows.Close(); err != nil || !empty {
		return err
	}

	orderedIndexes.mu.Lock()
	defer orderedIndexes.mu.Unlock()

	for _, index := range orderedIndexCandidates(meta) {
		stateOf(stateKey(c.dbName, meta, index), len(index.Key)).checked = true
	}

	return nil
}

// indexIsExact reports whether reads through the index come in MongoDB's order, and the
// kinds known; at the first use of any of the collection's indexes, one scan checks all.
func indexIsExact(ctx context.Context, db *fsql.DB, dbName string, meta *metadata.Collection, index *metadata.IndexInfo) (bool, []uint8, error) {
	known := func() (bool, []uint8) {
		orderedIndexes.mu.Lock()
		defer orderedIndexes.mu.Unlock()

		s := stateOf(stateKey(dbName, meta, index), len(index.Key))

		return s.checked, slices.Clone(s.seen)
	}

	if checked, seen := known(); checked || !exactKinds(seen) {
		return checked && exactKinds(seen), seen, nil
	}

	orderedIndexes.scan.Lock()
	defer orderedIndexes.scan.Unlock()

	if checked, seen := known(); checked || !exactKinds(seen) {
		return checked && exactKinds(seen), seen, nil
	}

	candidates := orderedIndexCandidates(meta)
	seen := make([][]uint8, len(candidates))

	for i, c := range candidates {
		seen[i] = make([]uint8, len(c.Key))
	}

	rows, err := db.QueryContext(ctx, fmt.Sprintf(`SELECT %s FROM %q`, metadata.DefaultColumn, meta.TableName))
	if err != nil {
		return false, nil, lazyerrors.Error(err)
	}

	iter := newQueryIterator(ctx, rows, false)
	defer iter.Close()

	for {
		_, doc, err := iter.Next()
		if errors.Is(err, iterator.ErrIteratorDone) {
			break
		}

		if err != nil {
			return false, nil, lazyerrors.Error(err)
		}

		for i, c := range candidates {
			addKinds(seen[i], c, doc)
		}
	}

	orderedIndexes.mu.Lock()
	for i, c := range candidates {
		s := stateOf(stateKey(dbName, meta, c), len(c.Key))
		s.checked = true

		for j := range seen[i] {
			s.seen[j] |= seen[i][j]
		}
	}
	orderedIndexes.mu.Unlock()

	_, kinds := known()

	return exactKinds(kinds), kinds, nil
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

// rangeArgument returns a range bound as the SQL value the index stores for it.
func rangeArgument(bound any) (any, bool) {
	switch b := bound.(type) {
	case string, int32, int64:
		return b, true
	case float64:
		return b, !math.IsNaN(b)
	case time.Time:
		return b.UnixMilli(), true
	default:
		return nil, false
	}
}

// stringsIn returns the values of a $in that holds only strings (at most 32,000: SQLite
// allows 32,766 parameters per statement).
func stringsIn(op string, bound any) ([]any, bool) {
	in, isArray := bound.(*types.Array)
	if op != "$in" || !isArray || in.Len() > 32_000 {
		return nil, false
	}

	values := make([]any, 0, in.Len())

	for i := range in.Len() {
		v, err := in.Get(i)
		s, isString := v.(string)

		if err != nil || !isString {
			return nil, false
		}

		values = append(values, s)
	}

	return values, true
}

// indexOrderSQL returns the SELECT that reads the find's documents in the sort's order
// through a serving index, that index and the kinds of value known at its fields; no
// index when none serves or its order is not exact.
func indexOrderSQL(ctx context.Context, db *fsql.DB, dbName string, meta *metadata.Collection, filter, sort *types.Document, comment string) (q string, args []any, index *metadata.IndexInfo, seen []uint8, err error) {
	if db == nil || meta == nil || meta.Capped() {
		return "", nil, nil, nil, nil
	}

	index, values := servingIndex(meta, filter, sort)
	if index == nil {
		return "", nil, nil, nil, nil
	}

	exact, seen, err := indexIsExact(ctx, db, dbName, meta, index)
	if err != nil || !exact {
		return "", nil, nil, nil, err
	}

	var where []string

	for i, v := range values {
		where = append(where, metadata.IndexKeyExpression(index.Key[i].Field, false)+" = ?")
		args = append(args, v)
	}

	// A range on the first sort key (a keyset page's bound, an expiry cutoff) narrows the
	// index scan. SQLite compares numbers and dates (milliseconds) with each other and
	// puts them before strings, so it lets through more than MongoDB's range, never
	// less; the handler drops the rest.
	first := sort.Keys()[0]
	if bounds, ok := lookup(filter, first); ok {
		if d, isDoc := bounds.(*types.Document); isDoc {
			for _, op := range d.Keys() {
				bound, _ := lookup(d, op)
				sqlOp, isRange := rangeOperators[op]
				arg, comparable := rangeArgument(bound)

				if isRange && comparable {
					where = append(where, metadata.IndexKeyExpression(first, false)+sqlOp+"?")
					args = append(args, arg)
				}

				// A $in of strings on it (a batch lookup by a secondary key) narrows the scan
				// to those keys: with no arrays in the index (exact), the SQL value equals one
				// of them exactly when MongoDB's $in matches; the handler filters again.
				if values, ok := stringsIn(op, bound); ok {
					if len(values) == 0 {
						where = append(where, "FALSE")
					} else {
						where = append(where, metadata.IndexKeyExpression(first, false)+" IN ("+strings.Repeat(", ?", len(values))[2:]+")")
						args = append(args, values...)
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

	return q, args, index, seen, nil
}

// queryInIndexOrder runs the find through a serving index; handled = false leaves it to upstream.
func (c *collection) queryInIndexOrder(ctx context.Context, db *fsql.DB, meta *metadata.Collection, params *backends.QueryParams) (*backends.QueryResult, bool, error) {
	if params.IndexOrder.Len() == 0 || params.OnlyRecordIDs {
		return nil, false, nil
	}

	q, args, index, seen, err := indexOrderSQL(ctx, db, c.dbName, meta, params.IndexFilter, params.IndexOrder, params.Comment)
	if err != nil || index == nil {
		return nil, err != nil, err
	}

	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, true, lazyerrors.Error(err)
	}

	iter := &exactOrderIterator{DocumentsIterator: newQueryIterator(ctx, rows, false), index: index, key: stateKey(c.dbName, meta, index), seen: seen}

	return &backends.QueryResult{Iter: iter, Sorted: true}, true, nil
}

// exactOrderIterator fails the read at a document the index cannot order next to the
// others (written while it ran).
type exactOrderIterator struct {
	types.DocumentsIterator
	index *metadata.IndexInfo
	key   orderedIndexKey
	seen  []uint8
}

func (iter *exactOrderIterator) Next() (struct{}, *types.Document, error) {
	unused, doc, err := iter.DocumentsIterator.Next()
	if err != nil {
		return unused, doc, err
	}

	addKinds(iter.seen, iter.index, doc)

	if !exactKinds(iter.seen) {
		mergeKinds(iter.key, iter.seen)
		iter.DocumentsIterator.Close()

		id, _ := lookup(doc, "_id")

		return unused, nil, lazyerrors.Errorf("index %q cannot order document %v next to the others (an array, or a kind of value SQLite orders differently, at one of its fields); run the find again", iter.index.Name, id)
	}

	return unused, doc, nil
}
