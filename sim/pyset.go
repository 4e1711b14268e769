package sim

// pySetOrder reorders ids (distinct, non-negative, in insertion order) into
// the order CPython 3.11 iterates a set built by adding them one by one
// (spec §15.4): small ints hash to themselves, the table starts with 8
// slots, grows ×4 (to the next power of two above 4·used) when 5·fill ≥
// 3·mask, and collisions probe up to 9 slots linearly before perturbing.
// table is scratch space; the result is written back into ids.
func pySetOrder(ids []int32, table []int32) []int32 {
	var scratchOld []int32
	if len(ids) <= 1 {
		return table
	}
	size := 8
	table = resetTable(table, size)
	used := 0
	for _, id := range ids {
		setInsert(table, id)
		used++
		if used*5 >= (size-1)*3 {
			minUsed := used * 4
			if used > 50000 {
				minUsed = used * 2
			}
			newSize := 8
			for newSize <= minUsed {
				newSize <<= 1
			}
			old := append(scratchOld[:0], table...)
			scratchOld = old
			table = resetTable(table, newSize)
			for _, v := range old {
				if v >= 0 {
					setInsert(table, v)
				}
			}
			size = newSize
		}
	}
	k := 0
	for _, v := range table {
		if v >= 0 {
			ids[k] = v
			k++
		}
	}
	return table
}

func resetTable(t []int32, n int) []int32 {
	if cap(t) < n {
		t = make([]int32, n)
	}
	t = t[:n]
	for i := range t {
		t[i] = -1
	}
	return t
}

func setInsert(table []int32, id int32) {
	mask := uint64(len(table) - 1)
	perturb := uint64(id)
	i := uint64(id) & mask
	for {
		probes := 0
		if i+9 <= mask {
			probes = 9
		}
		for j := uint64(0); j <= uint64(probes); j++ {
			if table[i+j] < 0 {
				table[i+j] = id
				return
			}
			if table[i+j] == id {
				return
			}
		}
		perturb >>= 5
		i = (i*5 + 1 + perturb) & mask
	}
}
