package profilecmd

// The measurement commands of issue 5 (profiling on real hardware):
//
//	plan   newPlanCmd   (measure_plan.go)   operator shapes and GPU-time estimate
//	run    newRunCmd    (measure_run.go)    measure a plan with the PyTorch worker
//	verify newVerifyCmd (measure_verify.go) re-measure a sample and report drift
//
// The resumable measurement journal is in measure_journal.go.
