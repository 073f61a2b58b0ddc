"""The PIL + torchvision side of `bench input`: decode every image of a folder and apply the official code's training
transform, then separately its evaluation transform (dataset/utils.py's make_transform, copied below), on N worker
processes as a PyTorch DataLoader runs them; JSON with the keys `bench input` writes. Run with Debian's Pillow and
torchvision:

    /usr/bin/python3 spark-job/src/test/resources/bench/torch_input.py --images DIR --model bn_inception \
        --threads 1 --repeats 3 --output torch-input.json

`--make-photos N` first writes N CUB-sized (400-500 x 300-375) synthetic photographs into DIR: colour noise with a
natural image's 1/f spectrum, saved as JPEG quality 90 (about 60 KB each, as CUB's).
"""
import argparse
import io
import json
import multiprocessing
import os
import time

import numpy as np
import PIL
from PIL import Image
import torch
from torchvision import transforms


# From the official Proxy-Anchor code, dataset/utils.py.
class Identity():
    def __call__(self, im):
        return im


class RGBToBGR():
    def __call__(self, im):
        assert im.mode == 'RGB'
        r, g, b = [im.getchannel(i) for i in range(3)]
        im = PIL.Image.merge('RGB', [b, g, r])
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


def make_photos(folder, count, seed=1):
    os.makedirs(folder, exist_ok=True)
    rng = np.random.default_rng(seed)
    for i in range(count):
        w, h = int(rng.integers(400, 501)), int(rng.integers(300, 376))
        fy = np.fft.fftfreq(h)[:, None]
        fx = np.fft.rfftfreq(w)[None, :]
        f = np.sqrt(fx ** 2 + fy ** 2)
        f[0, 0] = 1
        img = np.empty((h, w, 3))
        for c in range(3):
            spectrum = (rng.normal(size=f.shape) + 1j * rng.normal(size=f.shape)) / f ** 1.4
            x = np.fft.irfft2(spectrum, s=(h, w))
            img[..., c] = (x - x.mean()) / x.std()
        mixed = img @ rng.normal(size=(3, 3)) * 40 + 128
        Image.fromarray(np.clip(mixed, 0, 255).astype(np.uint8)).save(f"{folder}/{i:05d}.jpg", quality=90)


_files = []
_transform = None


def _init(files, transform):
    global _files, _transform
    _files, _transform = files, transform
    torch.set_num_threads(1)


def _run(job):
    """Images first, first + step, ... of the preloaded files; one DataLoader worker's share."""
    first, step, mode = job
    for i in range(first, len(_files), step):
        image = Image.open(io.BytesIO(_files[i])).convert('RGB')
        if mode != 'decode':
            _transform(image)
    return 0


def images_per_second(pool, threads, n, mode):
    start = time.perf_counter()
    pool.map(_run, [(t, threads, mode) for t in range(threads)])
    return n / (time.perf_counter() - start)


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--images', required=True)
    p.add_argument('--model', default='bn_inception', help='bn_inception, or any other name for the ResNet transform')
    p.add_argument('--threads', type=int, default=1, help='worker processes, as DataLoader(num_workers=N)')
    p.add_argument('--repeats', type=int, default=3)
    p.add_argument('--output')
    p.add_argument('--make-photos', type=int, default=0, help='first write this many synthetic photos into --images')
    a = p.parse_args()
    if a.make_photos:
        make_photos(a.images, a.make_photos)
    names = sorted(f for f in os.listdir(a.images) if f.lower().endswith(('.jpg', '.jpeg', '.png', '.bmp', '.gif')))
    files = [open(os.path.join(a.images, f), 'rb').read() for f in names]
    inception = a.model == 'bn_inception'
    best = {'train': 0.0, 'eval': 0.0, 'decode': 0.0}
    for mode in ('train', 'eval', 'decode'):
        transform = make_transform(is_train=(mode == 'train'), is_inception=inception)
        ctx = multiprocessing.get_context('fork')
        with ctx.Pool(a.threads, initializer=_init, initargs=(files, transform)) as pool:
            for repeat in range(-1, a.repeats):
                rate = images_per_second(pool, a.threads, len(files), mode)
                if repeat >= 0:
                    best[mode] = max(best[mode], rate)
    report = {'images': len(files), 'threads': a.threads, 'train_images_per_sec': best['train'],
              'eval_images_per_sec': best['eval'], 'decode_ms_per_image': 1000.0 * a.threads / best['decode']}
    text = json.dumps(report, indent=2)
    print(text)
    if a.output:
        with open(a.output, 'w') as f:
            f.write(text + '\n')


if __name__ == '__main__':
    main()
