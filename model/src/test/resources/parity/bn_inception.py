"""BN-Inception as the official Proxy-Anchor code (net/bn_inception.py, from Cadene's pretrainedmodels bninception)
defines it, written out from a table: the same module names (hence state_dict keys), channel widths, strides,
paddings, ceil modes and BatchNorm eps, and the same data flow. The official forward feeds the BatchNorm outputs on
after in-place ReLUs, so here every branch reads the ReLU output explicitly."""

import torch
import torch.nn as nn
import torch.nn.functional as F

# name, in, 1x1, 3x3 reduce, 3x3, double 3x3 reduce, double 3x3, pool ('avg' | 'max'), pool proj, stride
BLOCKS = [
    ("3a", 192, 64, 64, 64, 64, 96, "avg", 32, 1),
    ("3b", 256, 64, 64, 96, 64, 96, "avg", 64, 1),
    ("3c", 320, 0, 128, 160, 64, 96, "max", 0, 2),
    ("4a", 576, 224, 64, 96, 96, 128, "avg", 128, 1),
    ("4b", 576, 192, 96, 128, 96, 128, "avg", 128, 1),
    ("4c", 576, 160, 128, 160, 128, 160, "avg", 128, 1),
    ("4d", 608, 96, 128, 192, 160, 192, "avg", 128, 1),
    ("4e", 608, 0, 128, 192, 192, 256, "max", 0, 2),
    ("5a", 1056, 352, 192, 320, 160, 224, "avg", 128, 1),
    ("5b", 1024, 352, 192, 320, 192, 224, "max", 128, 1),
]


class BNInception(nn.Module):

    def __init__(self, num_classes=1000):
        super().__init__()
        self.num_ftrs = 1024
        self._unit("conv1_7x7_s2", 3, 64, 7, 2, 3)
        self.pool1_3x3_s2 = nn.MaxPool2d((3, 3), stride=(2, 2), dilation=(1, 1), ceil_mode=True)
        self._unit("conv2_3x3_reduce", 64, 64, 1, 1, 0)
        self._unit("conv2_3x3", 64, 192, 3, 1, 1)
        self.pool2_3x3_s2 = nn.MaxPool2d((3, 3), stride=(2, 2), dilation=(1, 1), ceil_mode=True)
        for name, cin, n1, n3r, n3, nd3r, nd3, pool, proj, stride in BLOCKS:
            p = "inception_" + name + "_"
            if n1:
                self._unit(p + "1x1", cin, n1, 1, 1, 0)
            self._unit(p + "3x3_reduce", cin, n3r, 1, 1, 0)
            self._unit(p + "3x3", n3r, n3, 3, stride, 1)
            self._unit(p + "double_3x3_reduce", cin, nd3r, 1, 1, 0)
            self._unit(p + "double_3x3_1", nd3r, nd3, 3, 1, 1)
            self._unit(p + "double_3x3_2", nd3, nd3, 3, stride, 1)
            if pool == "avg":
                setattr(self, p + "pool", nn.AvgPool2d(3, stride=1, padding=1, ceil_mode=True, count_include_pad=True))
            elif stride == 2:
                setattr(self, p + "pool", nn.MaxPool2d((3, 3), stride=(2, 2), dilation=(1, 1), ceil_mode=True))
            else:
                setattr(self, p + "pool", nn.MaxPool2d((3, 3), stride=(1, 1), padding=(1, 1), dilation=(1, 1),
                                                       ceil_mode=True))
            if proj:
                self._unit(p + "pool_proj", cin, proj, 1, 1, 0)
        self.global_pool = nn.AvgPool2d(7, stride=1, padding=0, ceil_mode=True, count_include_pad=True)
        self.last_linear = nn.Linear(1024, num_classes)

    def _unit(self, name, cin, cout, kernel, stride, padding):
        setattr(self, name, nn.Conv2d(cin, cout, kernel_size=(kernel, kernel), stride=(stride, stride),
                                      padding=(padding, padding)))
        setattr(self, name + "_bn", nn.BatchNorm2d(cout, eps=1e-05, momentum=0.9, affine=True))

    def _run(self, name, x):
        return F.relu(getattr(self, name + "_bn")(getattr(self, name)(x)))

    def features(self, x):
        x = self.pool1_3x3_s2(self._run("conv1_7x7_s2", x))
        x = self._run("conv2_3x3", self._run("conv2_3x3_reduce", x))
        x = self.pool2_3x3_s2(x)
        for name, cin, n1, n3r, n3, nd3r, nd3, pool, proj, stride in BLOCKS:
            p = "inception_" + name + "_"
            branches = []
            if n1:
                branches.append(self._run(p + "1x1", x))
            branches.append(self._run(p + "3x3", self._run(p + "3x3_reduce", x)))
            d = self._run(p + "double_3x3_1", self._run(p + "double_3x3_reduce", x))
            branches.append(self._run(p + "double_3x3_2", d))
            pooled = getattr(self, p + "pool")(x)
            branches.append(self._run(p + "pool_proj", pooled) if proj else pooled)
            x = torch.cat(branches, 1)
        return x
