package predictor

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// ArtifactsEnv overrides the default artifact directory.
const ArtifactsEnv = "VIDUR_ARTIFACTS"

// FileExt is the extension of artifact files.
const FileExt = ".vidurart"

// DefaultDir returns where artifacts live when no directory is given:
// $VIDUR_ARTIFACTS if set, else <user cache dir>/vidur-go/artifacts (on
// Linux usually ~/.cache/vidur-go/artifacts).
func DefaultDir() (string, error) {
	if d := os.Getenv(ArtifactsEnv); d != "" {
		return d, nil
	}
	c, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("no default artifact directory (set %s): %w", ArtifactsEnv, err)
	}
	return filepath.Join(c, "vidur-go", "artifacts"), nil
}

// ArtifactFileName returns the conventional file name of the artifact for
// (model, device SKU, node SKU, TP): the model name with "/" replaced by
// "--", then device, node and "tp<N>", joined by "_", plus FileExt. E.g.
// "meta-llama--Llama-2-7b-hf_h100_h100_pairwise_nvlink_tp1.vidurart".
func ArtifactFileName(model, device, node string, tp int) string {
	return fmt.Sprintf("%s_%s_%s_tp%d%s", strings.ReplaceAll(model, "/", "--"), device, node, tp, FileExt)
}

// Find returns the path of the artifact for (model, device, node, tp) in dir
// (DefaultDir() when dir is empty). When it is missing, the error names the
// file looked for and the vidur-train command that builds it.
func Find(dir, model, device, node string, tp int) (string, error) {
	if dir == "" {
		d, err := DefaultDir()
		if err != nil {
			return "", err
		}
		dir = d
	}
	p := filepath.Join(dir, ArtifactFileName(model, device, node, tp))
	if _, err := os.Stat(p); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return "", fmt.Errorf("no predictor artifact for model %s on %s (node %s, TP %d): %s does not exist; build it with\n"+
				"  vidur-train fit --model %s --device %s --node %s --tp %d -o %s\n"+
				"(needs profiles of that model and device in the store), or, without profiles,\n"+
				"  vidur-train analytical --model %s --device %s --node %s --tp %d -o %s",
				model, device, node, tp, p, model, device, node, tp, p, model, device, node, tp, p)
		}
		return "", fmt.Errorf("find artifact: %w", err)
	}
	return p, nil
}
