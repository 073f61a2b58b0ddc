"""Writes what PretrainedParityTest compares the DL4J backbones with: for each model a randomly initialised
state_dict with non-trivial BatchNorm statistics, its ImageNet classifier (and GoogLeNet's auxiliary classifiers)
and an embedding head (embedding.weight/bias), saved with torch.save; a fixed input batch; the backbone features and
the L2-normalised embedding PyTorch computes in eval mode, as the official wrappers' forward does. Also a
legacy-format (pre-1.6) BN-Inception file shaped like the published one, a broken file, a GoogLeNet file without
its auxiliary classifiers, and reader edge cases.

usage: /usr/bin/python3 make_parity_files.py OUT_DIR [MODEL ...]
       (MODEL: bn_inception resnet18 resnet50 resnet101 googlenet)
Arrays are raw little-endian float32; shapes.json gives their shapes."""

import json
import os
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bn_inception import BNInception  # noqa: E402

EMBEDDING_SIZE = 64
BATCH = 2


class Backbone(nn.Module):
    """features(x): the last feature map; classifier_prefix: the dropped ImageNet classifier; norm_eps: what the
    official wrapper's l2_norm adds under the square root."""

    def __init__(self, name):
        super().__init__()
        self.norm_eps = 1e-12
        if name == "bn_inception":
            self.net = BNInception()
            self.classifier_prefix = "last_linear."
            self.channels = 1024
        elif name == "googlenet":
            # As the official net/googlenet.py builds it: aux classifiers present (so in the state_dict) but never
            # run, transform_input off.
            self.net = torchvision.models.googlenet(weights=None, aux_logits=True, transform_input=False,
                                                    init_weights=True)
            self.classifier_prefix = "fc."
            self.channels = self.net.fc.in_features
            self.norm_eps = 1e-5
        else:
            self.net = getattr(torchvision.models, name)()
            self.classifier_prefix = "fc."
            self.channels = self.net.fc.in_features

    def features(self, x):
        if isinstance(self.net, BNInception):
            return self.net.features(x)
        n = self.net
        if isinstance(n, torchvision.models.GoogLeNet):
            x = n.maxpool2(n.conv3(n.conv2(n.maxpool1(n.conv1(x)))))
            x = n.maxpool3(n.inception3b(n.inception3a(x)))
            x = n.inception4e(n.inception4d(n.inception4c(n.inception4b(n.inception4a(x)))))
            return n.inception5b(n.inception5a(n.maxpool4(x)))
        x = n.maxpool(n.relu(n.bn1(n.conv1(x))))
        return n.layer4(n.layer3(n.layer2(n.layer1(x))))


def randomise_batchnorm(model, images):
    """Running statistics from a forward pass in training mode (so activations stay well scaled through 100 layers),
    then gamma and beta away from 1 and 0."""
    bns = [m for m in model.modules() if isinstance(m, nn.BatchNorm2d)]
    for bn in bns:
        bn.reset_running_stats()
        bn.momentum = None  # cumulative average: after one batch, exactly that batch's statistics
    model.train()
    with torch.no_grad():
        model.features(images)
        for bn in bns:
            bn.weight.uniform_(0.5, 1.5)
            bn.bias.normal_(0.0, 0.2)
            bn.running_var.mul_(torch.empty_like(bn.running_var).uniform_(0.8, 1.25))
    model.eval()


def write(out, name, tensor, shapes):
    t = tensor.detach().contiguous().to(torch.float32)
    with open(os.path.join(out, name + ".bin"), "wb") as f:
        f.write(t.numpy().astype("<f4").tobytes())
    shapes[name] = list(t.shape)


def make(out, name, shapes):
    torch.manual_seed(20200401)
    model = Backbone(name)
    randomise_batchnorm(model, torch.randn(4, 3, 224, 224))
    embedding = nn.Linear(model.channels, EMBEDDING_SIZE)
    nn.init.kaiming_normal_(embedding.weight, mode="fan_out")
    nn.init.normal_(embedding.bias, 0.0, 0.1)
    images = torch.randn(BATCH, 3, 224, 224)
    with torch.no_grad():
        features = model.features(images)
        pooled = F.adaptive_avg_pool2d(features, 1) + F.adaptive_max_pool2d(features, 1)
        x = embedding(pooled.flatten(1))
        x = x / torch.sqrt(torch.sum(x * x, 1) + model.norm_eps).view(-1, 1)  # the official l2_norm
    state = model.net.state_dict()
    assert any(k.startswith(model.classifier_prefix) for k in state)
    state["embedding.weight"] = embedding.weight.detach().clone()
    state["embedding.bias"] = embedding.bias.detach().clone()
    torch.save(state, os.path.join(out, name + ".pth"))
    write(out, name + "-input", images, shapes)
    write(out, name + "-features", features, shapes)
    write(out, name + "-embedding", x, shapes)
    return state


def main():
    out = sys.argv[1]
    models = sys.argv[2:] or ["bn_inception", "resnet18", "resnet50", "resnet101", "googlenet"]
    torch.set_num_threads(max(1, os.cpu_count() or 1))
    shapes = {}
    seconds = {}
    for name in models:
        start = time.time()
        state = make(out, name, shapes)
        if name == "bn_inception":
            # As published (bn_inception-52deb4733.pth): the legacy format, no num_batches_tracked, BatchNorm tensors
            # of shape [1, C] (the official code squeezes them), no embedding.
            legacy = {k: (v.unsqueeze(0) if "_bn." in k else v) for k, v in state.items()
                      if not k.endswith("num_batches_tracked") and not k.startswith("embedding.")}
            torch.save(legacy, os.path.join(out, name + "-legacy.pth"), _use_new_zipfile_serialization=False)
        if name == "resnet18":
            broken = {k: v for k, v in state.items() if k != "layer1.0.conv1.weight"}
            broken["layer2.0.bn1.running_var"] = torch.ones(3)
            torch.save(broken, os.path.join(out, name + "-broken.pth"))
        if name == "googlenet":
            # torchvision's googlenet(aux_logits=False) state_dict: the auxiliary classifiers are not required.
            no_aux = {k: v for k, v in state.items() if not k.startswith(("aux1.", "aux2."))}
            torch.save(no_aux, os.path.join(out, name + "-no-aux.pth"))
            broken = {k: v for k, v in state.items() if k != "inception4a.branch3.1.bn.running_var"}
            broken["inception5b.branch3.1.conv.weight"] = torch.zeros(128, 48, 5, 5)  # the paper's 5x5
            torch.save(broken, os.path.join(out, name + "-broken.pth"))
        seconds[name] = round(time.time() - start, 2)

    # Reader edge cases: a transposed (non-contiguous) tensor, a storage shared by two tensors at an offset,
    # other element types, a scalar, an empty tensor.
    base = torch.arange(12, dtype=torch.float32).reshape(3, 4)
    cases = {"transposed": base.t(), "row": base[1], "double": torch.tensor([0.5, -2.25], dtype=torch.float64),
             "half": torch.tensor([1.5, -0.125, 65504.0], dtype=torch.float16),
             "long": torch.tensor([7, -3], dtype=torch.int64), "scalar": torch.tensor(3.5), "empty": torch.zeros(0, 2)}
    torch.save(cases, os.path.join(out, "reader-cases.pth"))
    torch.save(cases, os.path.join(out, "reader-cases-legacy.pth"), _use_new_zipfile_serialization=False)
    expected = {k: {"shape": list(v.shape), "values": v.to(torch.float64).flatten().tolist()} for k, v in cases.items()}
    with open(os.path.join(out, "reader-cases.json"), "w") as f:
        json.dump(expected, f)

    with open(os.path.join(out, "shapes.json"), "w") as f:
        json.dump({"shapes": shapes, "seconds": seconds, "torch": torch.__version__,
                   "torchvision": torchvision.__version__}, f, indent=1)


if __name__ == "__main__":
    main()
