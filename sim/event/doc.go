// Package event is the simulator's priority queue: a binary min-heap of
// value-typed events ordered by (time, creation id), exactly as Vidur orders
// its events (spec §4.1). Vidur's event-type priorities are dead code; ties
// at equal times are broken only by the order in which events were created,
// so the simulator must create events in Vidur's order and let Queue assign
// ids.
//
// Events are plain structs stored by value in one slice that is reused for
// the whole run: pushing and popping allocate nothing once the slice has
// grown to the peak number of pending events.
package event
