"""The PyTorch side of `bench train`: the same backbone + Proxy-Anchor head (GAP + GMP, linear embedding, L2
normalisation), batch, optimizer and random input, forward + backward + AdamW step in one process. Run with
Debian's PyTorch, on as many threads as the DL4J one-JVM row uses (Debian's build defaults to one):

    OMP_NUM_THREADS=$(nproc) /usr/bin/python3 spark-job/src/test/resources/bench/torch_train.py \
        --model small_cnn --batch-size 128 --iterations 60
    OMP_NUM_THREADS=$(nproc) /usr/bin/python3 spark-job/src/test/resources/bench/torch_train.py \
        --model resnet50 --batch-size 16 --embedding-size 512 --iterations 8 --warmup 2
    OMP_NUM_THREADS=$(nproc) /usr/bin/python3 spark-job/src/test/resources/bench/torch_train.py \
        --model googlenet --batch-size 16 --embedding-size 512 --iterations 8 --warmup 2

The backbones are the official code's: torchvision's ResNets and GoogLeNet (without its auxiliary classifiers and
transform_input, as the official wrapper runs it), and BN-Inception from the official bn_inception.py
(the project's copy, model/src/test/resources/parity/bn_inception.py, with the official in-place ReLUs).
--bn-freeze 1 (the default, as in the official recipe) keeps every BatchNorm in eval mode while the rest trains;
gamma and beta still train, as they do in the official code once its warm-up epoch is over.
"""
import argparse
import os
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def backbone(name):
    """(feature extractor, its channels, input shape of one image)."""
    if name == "small_cnn":
        return nn.Sequential(
            nn.Conv2d(1, 32, 5, padding=2), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 5, padding=2), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(2)), 64, (1, 28, 28)
    if name == "bn_inception":
        net = official_bn_inception()
        return net, net.num_ftrs, (3, 224, 224)
    import torchvision
    if name == "googlenet":
        # As the official wrapper runs it: conv1 ... inception5b, no auxiliary classifiers, no transform_input.
        g = torchvision.models.googlenet(weights=None, aux_logits=False, transform_input=False, init_weights=True)
        return nn.Sequential(g.conv1, g.maxpool1, g.conv2, g.conv3, g.maxpool2, g.inception3a, g.inception3b,
                             g.maxpool3, g.inception4a, g.inception4b, g.inception4c, g.inception4d, g.inception4e,
                             g.maxpool4, g.inception5a, g.inception5b), g.fc.in_features, (3, 224, 224)
    resnet = getattr(torchvision.models, name)()
    return nn.Sequential(*list(resnet.children())[:-2]), resnet.fc.in_features, (3, 224, 224)


def official_bn_inception():
    """The official BN-Inception up to inception_5b, its ReLUs in place as in the official network."""
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path.insert(0, os.path.join(here, "..", "..", "..", "..", "..", "model", "src", "test", "resources", "parity"))
    import bn_inception

    class OfficialBNInception(bn_inception.BNInception):
        def _run(self, name, x):
            return F.relu(getattr(self, name + "_bn")(getattr(self, name)(x)), inplace=True)

        def forward(self, x):
            return self.features(x)

    return OfficialBNInception()


class Net(nn.Module):
    def __init__(self, model, embedding_size, classes):
        super().__init__()
        self.features, channels, self.input_shape = backbone(model)
        self.embedding = nn.Linear(channels, embedding_size)
        self.proxies = nn.Parameter(torch.randn(classes, embedding_size) * (2.0 / classes) ** 0.5)

    def forward(self, x):
        x = self.features(x)
        x = F.adaptive_avg_pool2d(x, 1) + F.adaptive_max_pool2d(x, 1)
        return F.normalize(self.embedding(x.flatten(1)))


def proxy_anchor(x, labels, proxies, classes, alpha=32.0, mrg=0.1):
    cos = F.linear(F.normalize(x), F.normalize(proxies))
    pos = F.one_hot(labels, classes).float()
    pos_exp = torch.exp(-alpha * (cos - mrg)) * pos
    neg_exp = torch.exp(alpha * (cos + mrg)) * (1 - pos)
    valid = (pos.sum(0) != 0).sum()
    return torch.log1p(pos_exp.sum(0)).sum() / valid + torch.log1p(neg_exp.sum(0)).sum() / classes


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--model", default="small_cnn",
                   help="small_cnn, bn_inception, googlenet or a torchvision ResNet (resnet18, resnet50, ...)")
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--embedding-size", type=int, default=64)
    p.add_argument("--iterations", type=int, default=60)
    p.add_argument("--warmup", type=int, default=10)
    p.add_argument("--bn-freeze", type=int, choices=(0, 1), default=1)
    a = p.parse_args()
    torch.manual_seed(1)
    model = Net(a.model, a.embedding_size, 5)
    model.train()
    if a.bn_freeze:
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.eval()
    opt = torch.optim.AdamW([{"params": [p for n, p in model.named_parameters() if n != "proxies"]},
                             {"params": [model.proxies], "lr": 1e-2}], lr=1e-4, weight_decay=1e-4)
    x = torch.rand(a.batch_size, *model.input_shape)
    y = torch.arange(a.batch_size) % 5
    for i in range(a.warmup + a.iterations):
        if i == a.warmup:
            start = time.perf_counter()
            cpu_start = time.process_time()
        opt.zero_grad()
        loss = proxy_anchor(model(x), y, model.proxies, 5)
        loss.backward()
        torch.nn.utils.clip_grad_value_(model.parameters(), 10)
        opt.step()
    seconds = time.perf_counter() - start
    cpu_seconds = time.process_time() - cpu_start
    print(f"pytorch {torch.__version__} {a.model} batch {a.batch_size} bn-freeze {a.bn_freeze} "
          f"threads {torch.get_num_threads()}: "
          f"{a.batch_size * a.iterations / seconds:.1f} images/s ({seconds:.2f} s, {cpu_seconds:.2f} s of CPU time)")


if __name__ == "__main__":
    main()
