"""Official checkpoints for OfficialInteropTest, and the check of what the Java side exported.

usage: official_roundtrip.py make OUT_DIR MODEL...    writes MODEL-official.pth ({'model_state_dict': ...} of the
           official wrapper with random weights and non-trivial BatchNorm statistics, as train.py saves it),
           MODEL-input.bin / MODEL-embedding.bin (a batch and its embeddings in eval mode), and official.json
           (the arrays' shapes, each checkpoint's number of tensors)
       official_roundtrip.py check OUT_DIR MODEL...   loads each MODEL-export*.pth into a fresh official wrapper with
           strict=True (and weights_only=True) and prints, as JSON, how far its tensors and embeddings are from the
           originals'
Arrays are raw little-endian float32."""

import glob
import json
import os
import sys

import numpy
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_parity_files import randomise_batchnorm  # noqa: E402
from official_wrappers import official  # noqa: E402

EMBEDDING_SIZE = 32
BATCH = 2


def make(out, model, shapes):
    """Writes the files of `model`; returns how many tensors its checkpoint holds."""
    torch.manual_seed(17)
    net = official(model, EMBEDDING_SIZE)
    randomise_batchnorm(net, torch.randn(4, 3, 224, 224))
    with torch.no_grad():
        torch.nn.init.normal_(net.model.embedding.bias, 0.0, 0.1)
    images = torch.randn(BATCH, 3, 224, 224)
    with torch.no_grad():
        embedding = net(images)
    state = net.state_dict()
    torch.save({'model_state_dict': state}, os.path.join(out, model + "-official.pth"))
    for name, t in ((model + "-input", images), (model + "-embedding", embedding)):
        with open(os.path.join(out, name + ".bin"), "wb") as f:
            f.write(t.contiguous().numpy().astype("<f4").tobytes())
        shapes[name] = list(t.shape)
    return len(state)


def check(out, model):
    original = torch.load(os.path.join(out, model + "-official.pth"))['model_state_dict']
    images = torch.from_numpy(numpy.fromfile(os.path.join(out, model + "-input.bin"), dtype="<f4"))
    images = images.view(BATCH, 3, 224, 224)
    expected = torch.from_numpy(numpy.fromfile(os.path.join(out, model + "-embedding.bin"), dtype="<f4"))
    expected = expected.view(BATCH, EMBEDDING_SIZE)
    results = {}
    for path in sorted(glob.glob(os.path.join(out, model + "-export*.pth"))):
        checkpoint = torch.load(path, weights_only=True)
        state = checkpoint['model_state_dict']
        torch.manual_seed(99)
        net = official(model, EMBEDDING_SIZE)
        net.load_state_dict(state, strict=True)
        net.eval()
        with torch.no_grad():
            embedding = net(images)
        differing = sorted(k for k in original if not torch.equal(original[k], state[k]))
        results[os.path.basename(path)] = {
            "keys": len(state),
            "dtypes": sorted({str(v.dtype) for v in state.values()}),
            "differing_tensors": differing,
            "embedding_max_abs_diff": float((embedding - expected).abs().max()),
        }
    return results


def main():
    mode, out, models = sys.argv[1], sys.argv[2], sys.argv[3:]
    torch.set_num_threads(max(1, os.cpu_count() or 1))
    if mode == "make":
        shapes = {}
        tensors = {model: make(out, model, shapes) for model in models}
        with open(os.path.join(out, "official.json"), "w") as f:
            json.dump({"shapes": shapes, "tensors": tensors}, f, indent=1)
    else:
        print(json.dumps({model: check(out, model) for model in models}))


if __name__ == "__main__":
    main()
