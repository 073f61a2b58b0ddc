"""Photographic-like JPEGs, an official checkpoint, and the embeddings the official code computes for them, for
OfficialJpegEmbeddingsTest: the truth for decode + resize + crop + normalisation + network together.

usage: official_jpegs.py OUT_DIR PARITY_DIR MODEL...
  OUT_DIR/images/{train,eval}/<class>/*.jpg   the images (a class-per-folder dataset), several sizes, chroma
                                             subsamplings, qualities, a progressive one, a grey one, one with an
                                             EXIF orientation (which PIL, hence the official code, ignores)
  OUT_DIR/MODEL-official.pth                 {'model_state_dict': ...} of the official wrapper (random weights,
                                             BatchNorm statistics from these images), embedding size 64
  OUT_DIR/MODEL.json                         {relative path: embedding} with the official evaluation transform,
                                             and {"wrong": {...}} with a deliberately wrong transform (no BGR swap
                                             for bn_inception, no resize-then-crop for the others): what the test's
                                             threshold must tell apart
PARITY_DIR holds official_wrappers.py (the official wrappers rebuilt)."""

import io
import json
import os
import sys

import numpy as np
import PIL.Image
import torch
import torchvision.transforms as T

EMBEDDING_SIZE = 64

# (width, height, subsampling 0=4:4:4 1=4:2:2 2=4:2:0, quality, progressive)
IMAGES = [
    (500, 375, 2, 90, False), (375, 500, 2, 85, False), (256, 256, 0, 95, False), (640, 427, 1, 80, False),
    (97, 130, 2, 75, False), (1024, 683, 2, 92, True), (333, 250, 0, 70, False), (300, 700, 1, 88, False),
]


def photo(width, height, rng):
    """A colour image with photographic statistics: smooth shading, 1/f texture, hard-edged objects, fine grain."""
    y, x = np.mgrid[0:height, 0:width].astype(np.float64)
    image = np.zeros((height, width, 3))
    for c in range(3):
        image[..., c] = rng.uniform(60, 190) + rng.uniform(-60, 60) * (x / width) + rng.uniform(-60, 60) * (y / height)
    for _ in range(40):
        freq = rng.uniform(0.5, 60) / max(width, height)
        angle = rng.uniform(0, np.pi)
        phase = rng.uniform(0, 2 * np.pi)
        wave = np.sin(2 * np.pi * freq * (x * np.cos(angle) + y * np.sin(angle)) + phase)
        image += wave[..., None] * rng.uniform(-1, 1, 3) * (8 / (freq * max(width, height)) ** 0.5)
    for _ in range(12):
        cx, cy = rng.uniform(0, width), rng.uniform(0, height)
        rx, ry = rng.uniform(0.03, 0.3) * width, rng.uniform(0.03, 0.3) * height
        inside = ((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2 < 1
        shade = 1 - 0.4 * ((y - cy) / ry).clip(-1, 1)
        image[inside] = (rng.uniform(0, 255, 3)[None, :] * shade[inside][:, None])
    image += rng.normal(0, 4, image.shape)
    return PIL.Image.fromarray(image.clip(0, 255).astype(np.uint8), "RGB")


def write_images(root, rng):
    paths = []
    for i, (width, height, subsampling, quality, progressive) in enumerate(IMAGES):
        for role in ("train", "eval"):
            folder = os.path.join(root, role, "class%d" % (i % 3))
            os.makedirs(folder, exist_ok=True)
            path = os.path.join(folder, "photo%d.jpg" % i)
            photo(width, height, rng).save(path, "JPEG", quality=quality, subsampling=subsampling,
                                           progressive=progressive)
            paths.append(path)
    grey = os.path.join(root, "eval", "class0", "grey.jpg")
    photo(420, 300, rng).convert("L").save(grey, "JPEG", quality=90)
    paths.append(grey)
    # EXIF orientation 6 (rotate 90 degrees to display): PIL.Image.open ignores it, so the official code does.
    rotated = os.path.join(root, "eval", "class1", "exif-rotated.jpg")
    exif = PIL.Image.Exif()
    exif[0x0112] = 6
    photo(480, 320, rng).save(rotated, "JPEG", quality=90, exif=exif.tobytes())
    paths.append(rotated)
    return paths


def load(path):
    """The official dataset's img_load: PIL.Image.open, grey converted to RGB."""
    im = PIL.Image.open(path)
    if len(list(im.split())) == 1:
        im = im.convert('RGB')
    return im


class RGBToBGR:
    def __call__(self, im):
        r, g, b = [im.getchannel(i) for i in range(3)]
        return PIL.Image.merge('RGB', [b, g, r])


def transform(model, wrong=False):
    """The official make_transform(is_train=False, is_inception=(model == 'bn_inception')); `wrong` drops one step."""
    if model == "bn_inception":
        steps = [] if wrong else [RGBToBGR()]
        return T.Compose(steps + [T.Resize(256), T.CenterCrop(224), T.ToTensor(),
                                  T.Lambda(lambda t: t * 255), T.Normalize([104, 117, 128], [1, 1, 1])])
    resize = [T.Resize((224, 224))] if wrong else [T.Resize(256), T.CenterCrop(224)]
    return T.Compose(resize + [T.ToTensor(), T.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])])


def embed(net, model, paths, root, wrong=False):
    t = transform(model, wrong)
    batch = torch.stack([t(load(p)) for p in paths])
    with torch.no_grad():
        out = net(batch)
    return {os.path.relpath(p, root): out[i].tolist() for i, p in enumerate(paths)}


def main():
    out, parity, models = sys.argv[1], sys.argv[2], sys.argv[3:]
    sys.path.insert(0, parity)
    from official_wrappers import official
    torch.set_num_threads(max(1, os.cpu_count() or 1))
    root = os.path.join(out, "images")
    paths = write_images(root, np.random.default_rng(15))
    for model in models:
        torch.manual_seed(4)
        net = official(model, EMBEDDING_SIZE)
        # BatchNorm statistics of these very images (one pass in training mode), so that activations stay well
        # scaled through the random network, as they are through a trained one.
        batch = torch.stack([transform(model)(load(p)) for p in paths])
        for m in net.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.reset_running_stats()
                m.momentum = None
        net.train()
        with torch.no_grad():
            net(batch)
        net.eval()
        torch.save({'model_state_dict': net.state_dict()}, os.path.join(out, model + "-official.pth"))
        result = embed(net, model, paths, root)
        result_wrong = embed(net, model, paths, root, wrong=True)
        with open(os.path.join(out, model + ".json"), "w") as f:
            json.dump({"right": result, "wrong": result_wrong}, f)


if __name__ == "__main__":
    main()
