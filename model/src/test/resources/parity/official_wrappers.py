"""The official Proxy-Anchor code's model wrappers (net/resnet.py: Resnet18/50/101; net/bn_inception.py:
bn_inception; net/googlenet.py: googlenet), rebuilt with the same structure: the torchvision-style network as
`model`, global average and max pooling as `model.gap`/`model.gmp`, the embedding layer as `model.embedding` (kaiming
normal fan_out, bias 0), the ImageNet classifier (and GoogLeNet's auxiliary classifiers) kept and unused, and the
same forward (features, gap + gmp, embedding, l2_norm with 1e-12, 1e-5 for googlenet).
Their state_dict keys are those of the official checkpoints: `model.conv1.weight`, ..., `model.fc.weight`,
`model.embedding.weight`. Built without ImageNet weights (no download here)."""

import torch
import torch.nn as nn
import torch.nn.init as init
import torchvision

from bn_inception import BNInception


def l2_norm(x, eps):
    """The official l2_norm: x / sqrt(sum(x^2) + eps), row by row."""
    return x / torch.sqrt(torch.sum(x * x, 1) + eps).view(-1, 1)


class Official(nn.Module):

    def __init__(self, network, num_ftrs, embedding_size, is_norm=True, norm_eps=1e-12):
        super().__init__()
        self.model = network
        self.is_norm = is_norm
        self.norm_eps = norm_eps
        self.model.gap = nn.AdaptiveAvgPool2d(1)
        self.model.gmp = nn.AdaptiveMaxPool2d(1)
        self.model.embedding = nn.Linear(num_ftrs, embedding_size)
        init.kaiming_normal_(self.model.embedding.weight, mode='fan_out')
        init.constant_(self.model.embedding.bias, 0)

    def forward(self, x):
        x = self.features(x)
        x = self.model.gmp(x) + self.model.gap(x)
        x = self.model.embedding(x.view(x.size(0), -1))
        return l2_norm(x, self.norm_eps) if self.is_norm else x


class Resnet(Official):
    """Resnet18, Resnet50 or Resnet101 of the official net/resnet.py."""

    def __init__(self, arch, embedding_size, is_norm=True):
        network = getattr(torchvision.models, arch)()
        super().__init__(network, network.fc.in_features, embedding_size, is_norm)

    def features(self, x):
        m = self.model
        x = m.maxpool(m.relu(m.bn1(m.conv1(x))))
        return m.layer4(m.layer3(m.layer2(m.layer1(x))))


class BnInception(Official):
    """bn_inception of the official net/bn_inception.py."""

    def __init__(self, embedding_size, is_norm=True):
        super().__init__(BNInception(), 1024, embedding_size, is_norm)

    def features(self, x):
        return self.model.features(x)


class GoogleNet(Official):
    """googlenet of the official net/googlenet.py: torchvision's GoogLeNet layout with its auxiliary classifiers
    (never run), no transform_input, l2_norm with 1e-5."""

    def __init__(self, embedding_size, is_norm=True):
        network = torchvision.models.googlenet(weights=None, aux_logits=True, transform_input=False,
                                               init_weights=True)
        super().__init__(network, network.fc.in_features, embedding_size, is_norm, norm_eps=1e-5)

    def features(self, x):
        n = self.model
        x = n.maxpool2(n.conv3(n.conv2(n.maxpool1(n.conv1(x)))))
        x = n.maxpool3(n.inception3b(n.inception3a(x)))
        x = n.inception4e(n.inception4d(n.inception4c(n.inception4b(n.inception4a(x)))))
        return n.inception5b(n.inception5a(n.maxpool4(x)))


def official(model, embedding_size):
    """The official wrapper the official train.py builds for --model `model`."""
    if model == "bn_inception":
        return BnInception(embedding_size)
    if model == "googlenet":
        return GoogleNet(embedding_size)
    return Resnet(model, embedding_size)
