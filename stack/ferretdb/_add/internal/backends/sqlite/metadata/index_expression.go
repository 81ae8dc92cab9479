// order-service addition (stack/ferretdb/patches.mjs): the SQL expression of an index key.

package metadata

import (
	"fmt"
	"strings"
)

// IndexKeyExpression returns the SQL expression an index on field stores.
//
// A unique index keeps upstream's JSON text (`->`), so values of different BSON types
// never collide. Any other index stores the SQL value (`->>`): strings as text and
// numbers as numbers, which SQLite compares as MongoDB does (null < numbers < strings,
// strings byte by byte), so a read through the index can return documents in the
// order a sort asks for (see the sqlite package's ordered_index.go).
func IndexKeyExpression(field string, unique bool) string {
	parts := strings.Split(field, ".")
	for i, p := range parts {
		parts[i] = fmt.Sprintf("%q", p)
	}

	if unique || len(parts) == 0 {
		return DefaultColumn + "->" + strings.Join(parts, "->")
	}

	last := len(parts) - 1
	path := ""

	for _, p := range parts[:last] {
		path += "->" + p
	}

	return DefaultColumn + path + "->>" + parts[last]
}
