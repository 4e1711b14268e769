// Package profiler holds operator-timing profiles in Vidur's CSV formats and
// the on-disk profile store that vidur-train reads.
//
// There are five kinds of profile (spec §12), each a CSV with one row per
// measured input:
//
//   - mlp.csv (KindMLP): per-token-count timings of the non-attention
//     operators of one transformer block (MLPRow).
//   - attention.csv (KindAttention): attention prefill/decode and KV-cache
//     write timings per (batch size, chunk size, KV-cache size) (AttentionRow).
//   - all_reduce.csv and send_recv.csv (KindAllReduce, KindSendRecv): NCCL
//     collective timings per message size and worker layout (CollectiveRow).
//   - cpu_overheads.csv (KindCPUOverhead): per-batch CPU overheads of the
//     serving engine (CPUOverheadRow).
//
// Every time is in milliseconds and is summarised by Stats (min, max, mean,
// median and population standard deviation over the repeats of one input);
// Vidur's predictors train on the median.
//
// Readers (ReadMLP, ParseMLP, ...) find columns by header name, so column
// order is free and extra columns are ignored; the time_stats.<op>.<stat>
// columns are discovered from the header. Inputs may be plain or gzip
// compressed (recognised by content). Every data problem is returned as a
// *ParseError naming the file, the 1-based line, the column and what was
// expected. Writers (WriteMLP, ...) emit Vidur's column order and write
// atomically, compressing when the path ends in ".gz".
//
// A Store is a directory laid out like Vidur's data/profiling tree, with a
// JSON manifest beside every profile (see Manifest and docs/profile-store.md).
// ImportFile and ImportTree validate and copy Vidur CSVs into it; the
// Store.Write* methods store freshly measured rows.
package profiler
