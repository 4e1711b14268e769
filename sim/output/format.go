package output

import (
	"math"
	"strconv"
)

// appendFloat formats v in the shortest form that reads back exactly
// ('g' with minimal digits); NaN is written as an empty field.
func appendFloat(b []byte, v float64) []byte {
	if math.IsNaN(v) {
		return b
	}
	return strconv.AppendFloat(b, v, 'g', -1, 64)
}

// jsonFloat formats v for JSON: shortest round-trip form; NaN and ±Inf
// (not representable in JSON) become null.
func jsonFloat(b []byte, v float64) []byte {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return append(b, "null"...)
	}
	return strconv.AppendFloat(b, v, 'g', -1, 64)
}
