"""The Pillow + torchvision side of the image parity tests (ImageDecoderParityTest). Run with Debian's python3-pil,
python3-torch and python3-torchvision:

    /usr/bin/python3 pil_reference.py DIR

Writes test images into DIR (JPEG baseline and progressive, 4:2:0 / 4:2:2 / 4:4:4, greyscale, CMYK, an EXIF-rotated
one, PNG RGB / RGBA / grey / palette / 16-bit, odd sizes), then, for every image in DIR (those the Java test wrote
too), what the official code computes from it:
  NAME.rgb             Image.open(NAME).convert("RGB"), the raw RGB bytes
  NAME.resnet.f32      the official evaluation transform of a ResNet (float32, C x 224 x 224)
  NAME.inception.f32   the official evaluation transform of BN-Inception
and DIR/pil.tsv: a first line with the versions of Pillow and of the libjpeg API it decodes with, then one line
per image: name, Pillow's mode, width, height (tab-separated).
"""
import glob
import os
import sys

import numpy as np
import PIL
from PIL import Image, features
import torch
from torchvision import transforms


# From the official Proxy-Anchor code, dataset/utils.py (only the evaluation branch is used here).
class Identity():
    def __call__(self, im):
        return im


class RGBToBGR():
    def __call__(self, im):
        assert im.mode == 'RGB'
        r, g, b = [im.getchannel(i) for i in range(3)]
        im = Image.merge('RGB', [b, g, r])
        return im


class ScaleIntensities():
    def __init__(self, in_range, out_range):
        self.in_range = in_range
        self.out_range = out_range

    def __call__(self, tensor):
        tensor = (tensor - self.in_range[0]) / (self.in_range[1] - self.in_range[0]) * (
            self.out_range[1] - self.out_range[0]) + self.out_range[0]
        return tensor


def make_transform(is_train=True, is_inception=False):
    resnet_sz_resize = 256
    resnet_sz_crop = 224
    resnet_mean = [0.485, 0.456, 0.406]
    resnet_std = [0.229, 0.224, 0.225]
    resnet_transform = transforms.Compose([
        transforms.RandomResizedCrop(resnet_sz_crop) if is_train else Identity(),
        transforms.RandomHorizontalFlip() if is_train else Identity(),
        transforms.Resize(resnet_sz_resize) if not is_train else Identity(),
        transforms.CenterCrop(resnet_sz_crop) if not is_train else Identity(),
        transforms.ToTensor(),
        transforms.Normalize(mean=resnet_mean, std=resnet_std)
    ])

    inception_sz_resize = 256
    inception_sz_crop = 224
    inception_mean = [104, 117, 128]
    inception_std = [1, 1, 1]
    inception_transform = transforms.Compose([
        RGBToBGR(),
        transforms.RandomResizedCrop(inception_sz_crop) if is_train else Identity(),
        transforms.RandomHorizontalFlip() if is_train else Identity(),
        transforms.Resize(inception_sz_resize) if not is_train else Identity(),
        transforms.CenterCrop(inception_sz_crop) if not is_train else Identity(),
        transforms.ToTensor(),
        ScaleIntensities([0, 1], [0, 255]),
        transforms.Normalize(mean=inception_mean, std=inception_std)
    ])
    return inception_transform if is_inception else resnet_transform


def photo(rng, w, h):
    """A smooth colour gradient under noise, so that chroma subsampling and the IDCT have work to do."""
    yy, xx = np.mgrid[0:h, 0:w]
    base = np.stack([xx * 255.0 / w, yy * 255.0 / h, (xx + yy) * 128.0 / (w + h)], -1)
    return np.clip(base + rng.normal(0, 25, (h, w, 3)), 0, 255).astype(np.uint8)


def write_images(out):
    rng = np.random.default_rng(3)
    for w, h in [(97, 61), (301, 203), (33, 250), (17, 9), (1, 1)]:
        img = Image.fromarray(photo(rng, w, h))
        for subsampling, name in [(2, '420'), (1, '422'), (0, '444')]:
            for progressive in (False, True):
                img.save(f"{out}/rgb_{w}x{h}_{name}_{'progressive' if progressive else 'baseline'}.jpg",
                         quality=85, subsampling=subsampling, progressive=progressive)
        img.convert('L').save(f"{out}/grey_{w}x{h}.jpg", quality=90)
        img.convert('L').save(f"{out}/grey_{w}x{h}_progressive.jpg", quality=90, progressive=True)
        img.convert('CMYK').save(f"{out}/cmyk_{w}x{h}.jpg", quality=90)
        img.save(f"{out}/rgb_{w}x{h}.png")
        img.convert('RGBA').save(f"{out}/rgba_{w}x{h}.png")
        img.convert('L').save(f"{out}/grey_{w}x{h}.png")
        img.convert('P', palette=Image.ADAPTIVE, colors=37).save(f"{out}/palette_{w}x{h}.png")
    # EXIF orientation 6 (rotate 90 degrees): Pillow's open() does not apply it.
    exif = Image.Exif()
    exif[0x0112] = 6
    Image.fromarray(photo(rng, 120, 80)).save(f"{out}/exif_rotated_120x80.jpg", quality=90, exif=exif)
    # 16 bits per channel, RGB: Pillow keeps the high byte.
    deep = (photo(rng, 45, 31).astype(np.uint16) * 257 + rng.integers(0, 256, (31, 45, 3))).astype('>u2')
    with open(f"{out}/rgb16_45x31.png", 'wb') as f:
        import zlib
        import struct
        raw = b''.join(b'\0' + deep[y].tobytes() for y in range(31))

        def chunk(kind, data):
            return struct.pack('>I', len(data)) + kind + data + struct.pack('>I', zlib.crc32(kind + data) & 0xffffffff)
        f.write(b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', 45, 31, 16, 2, 0, 0, 0))
                + chunk(b'IDAT', zlib.compress(raw)) + chunk(b'IEND', b''))


def main():
    out = sys.argv[1]
    write_images(out)
    resnet = make_transform(is_train=False, is_inception=False)
    inception = make_transform(is_train=False, is_inception=True)
    lines = [f"# Pillow {PIL.__version__}, libjpeg API {features.version('jpg')}"]
    for path in sorted(glob.glob(os.path.join(out, '*'))):
        name = os.path.basename(path)
        if name.rsplit('.', 1)[-1] in ('rgb', 'f32', 'tsv', 'log'):
            continue
        im = Image.open(path)
        lines.append(f"{name}\t{im.mode}\t{im.size[0]}\t{im.size[1]}")
        rgb = im.convert('RGB')
        with open(path + '.rgb', 'wb') as f:
            f.write(rgb.tobytes())
        for key, transform in (('resnet', resnet), ('inception', inception)):
            tensor = transform(rgb).to(torch.float32).contiguous().numpy()
            tensor.astype('<f4').tofile(path + '.' + key + '.f32')
    with open(os.path.join(out, 'pil.tsv'), 'w') as f:
        f.write('\n'.join(lines) + '\n')


if __name__ == '__main__':
    main()
