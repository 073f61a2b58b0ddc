"""The PyTorch side of `bench train`: the same backbone + Proxy-Anchor head (GAP + GMP, linear embedding, L2
normalisation), batch, optimizer and random input, forward + backward + AdamW step in one process. Run with
Debian's PyTorch, on as many threads as the DL4J one-JVM row uses (Debian's build defaults to one):

    OMP_NUM_THREADS=$(nproc) /usr/bin/python3 spark-job/src/test/resources/bench/torch_train.py \
        --model small_cnn --batch-size 128 --iterations 60
    OMP_NUM_THREADS=$(nproc) /usr/bin/python3 spark-job/src/test/resources/bench/torch_train.py \
        --model resnet50 --batch-size 16 --embedding-size 512 --iterations 5 --warmup 2
"""
import argparse
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
    import torchvision
    resnet = getattr(torchvision.models, name)()
    return nn.Sequential(*list(resnet.children())[:-2]), resnet.fc.in_features, (3, 224, 224)


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
    p.add_argument("--model", default="small_cnn", help="small_cnn or a torchvision ResNet (resnet18, resnet50, ...)")
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--embedding-size", type=int, default=64)
    p.add_argument("--iterations", type=int, default=60)
    p.add_argument("--warmup", type=int, default=10)
    a = p.parse_args()
    torch.manual_seed(1)
    model = Net(a.model, a.embedding_size, 5)
    opt = torch.optim.AdamW([{"params": [p for n, p in model.named_parameters() if n != "proxies"]},
                             {"params": [model.proxies], "lr": 1e-2}], lr=1e-4, weight_decay=1e-4)
    x = torch.rand(a.batch_size, *model.input_shape)
    y = torch.arange(a.batch_size) % 5
    for i in range(a.warmup + a.iterations):
        if i == a.warmup:
            start = time.perf_counter()
        opt.zero_grad()
        loss = proxy_anchor(model(x), y, model.proxies, 5)
        loss.backward()
        torch.nn.utils.clip_grad_value_(model.parameters(), 10)
        opt.step()
    seconds = time.perf_counter() - start
    print(f"pytorch {torch.__version__} {a.model} batch {a.batch_size} threads {torch.get_num_threads()}: "
          f"{a.batch_size * a.iterations / seconds:.1f} images/s ({seconds:.2f} s)")


if __name__ == "__main__":
    main()
