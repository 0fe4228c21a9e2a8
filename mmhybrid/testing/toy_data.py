"""Small deterministic datasets in the exact on-disk formats of COCO, ADE20K, Cityscapes,
Pascal Context and ImageNet.

Images show filled circles, triangles and squares, each in its own colour range, on a smooth
noisy background: simple enough for a detector or segmentor to learn on a CPU in minutes.
"""
import json
import math
import os
import os.path as osp
from typing import Dict, List, Tuple

import numpy as np
from PIL import Image, ImageDraw

# The 80 COCO categories with their official ids: the toy annotation files list them all, as
# COCO's do, so 80-class COCO configs and CocoMetric run unchanged on toy data.
COCO_CLASSES = (
    'person', 'bicycle', 'car', 'motorcycle', 'airplane', 'bus', 'train', 'truck', 'boat',
    'traffic light', 'fire hydrant', 'stop sign', 'parking meter', 'bench', 'bird', 'cat', 'dog',
    'horse', 'sheep', 'cow', 'elephant', 'bear', 'zebra', 'giraffe', 'backpack', 'umbrella',
    'handbag', 'tie', 'suitcase', 'frisbee', 'skis', 'snowboard', 'sports ball', 'kite',
    'baseball bat', 'baseball glove', 'skateboard', 'surfboard', 'tennis racket', 'bottle',
    'wine glass', 'cup', 'fork', 'knife', 'spoon', 'bowl', 'banana', 'apple', 'sandwich',
    'orange', 'broccoli', 'carrot', 'hot dog', 'pizza', 'donut', 'cake', 'chair', 'couch',
    'potted plant', 'bed', 'dining table', 'toilet', 'tv', 'laptop', 'mouse', 'remote',
    'keyboard', 'cell phone', 'microwave', 'oven', 'toaster', 'sink', 'refrigerator', 'book',
    'clock', 'vase', 'scissors', 'teddy bear', 'hair drier', 'toothbrush')
COCO_IDS = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24,
            25, 27, 28, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 46, 47, 48, 49,
            50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63, 64, 65, 67, 70, 72, 73, 74,
            75, 76, 77, 78, 79, 80, 81, 82, 84, 85, 86, 87, 88, 89, 90)
# The category each toy shape is annotated as.
TOY_COCO_CLASSES = dict(circle='sports ball', triangle='kite', square='tv')
# Shape -> ADE20K label (1-based; 0 = "other", ignored with reduce_zero_label).
ADE_LABELS = dict(background=1, circle=13, triangle=21, square=42)
# Shape -> Cityscapes labelId (trainId in brackets): road 7 (0), car 26 (13),
# person 24 (11), traffic sign 20 (7); ego vehicle 1 (255) is drawn as a bottom strip.
CITYSCAPES_LABEL_IDS = dict(background=7, circle=26, triangle=24, square=20)
CITYSCAPES_TRAIN_IDS = {7: 0, 26: 13, 24: 11, 20: 7, 1: 255}
CITYSCAPES_INSTANCE_IDS = (24, 26)  # person and car: the toy classes with instances
# Shape -> Pascal Context label of mmseg's 60-class PascalContextDataset (0 = background):
# bottle 10, car 14, tvmonitor 55.
PASCAL_CONTEXT_LABELS = dict(background=0, circle=10, triangle=14, square=55)
# ImageNet classes 0-2 (tench, goldfish, great white shark) stand for circle, triangle, square.
IMAGENET_WNIDS = ('n01440764', 'n01443537', 'n01484850')
COLOURS = dict(circle=(220, 60, 50), triangle=(50, 90, 220), square=(60, 190, 70))
SHAPES = ('circle', 'triangle', 'square')


def _background(rng: np.random.RandomState, h: int, w: int) -> np.ndarray:
    base = rng.uniform(60, 160, size=3)
    ramp = np.linspace(-30, 30, w)[None, :, None] * rng.uniform(-1, 1, size=3)
    img = base + ramp + rng.normal(0, 6, size=(h, w, 3))
    return np.clip(img, 0, 255).astype(np.uint8)


def _polygon(shape: str, cx: float, cy: float, r: float, angle: float) -> List[Tuple[float, float]]:
    sides = dict(circle=24, triangle=3, square=4)[shape]
    return [(cx + r * math.cos(angle + 2 * math.pi * k / sides),
             cy + r * math.sin(angle + 2 * math.pi * k / sides)) for k in range(sides)]


def _scene(rng: np.random.RandomState, h: int, w: int,
           max_objects: int = 3) -> Tuple[Image.Image, List[dict]]:
    """One image and its objects (shape, polygon), the objects not overlapping."""
    img = Image.fromarray(_background(rng, h, w))
    draw = ImageDraw.Draw(img)
    objects, placed = [], []
    for _ in range(rng.randint(1, max_objects + 1)):
        for _attempt in range(20):
            r = rng.uniform(0.1, 0.22) * min(h, w)
            cx, cy = rng.uniform(r + 2, w - r - 2), rng.uniform(r + 2, h - r - 2)
            if all(math.hypot(cx - x, cy - y) > r + rr + 4 for x, y, rr in placed):
                break
        else:
            continue
        shape = SHAPES[rng.randint(len(SHAPES))]
        poly = _polygon(shape, cx, cy, r, rng.uniform(0, math.pi / 2))
        colour = tuple(int(np.clip(c + rng.randint(-25, 26), 0, 255)) for c in COLOURS[shape])
        draw.polygon(poly, fill=colour)
        placed.append((cx, cy, r))
        objects.append(dict(shape=shape, polygon=poly))
    return img, objects


def _label_map(h: int, w: int, objects: List[dict], labels: Dict[str, int]) -> Image.Image:
    label = Image.new('L', (w, h), labels['background'])
    draw = ImageDraw.Draw(label)
    for obj in objects:
        draw.polygon(obj['polygon'], fill=labels[obj['shape']])
    return label


def _area(poly: List[Tuple[float, float]]) -> float:
    xs, ys = np.array(poly).T
    return float(abs(np.dot(xs, np.roll(ys, 1)) - np.dot(ys, np.roll(xs, 1))) / 2)


def make_toy_coco(root: str, num_train: int = 64, num_val: int = 16, seed: int = 0,
                  size: Tuple[int, int] = (256, 320)) -> None:
    """COCO 2017 instances layout: ``{train,val}2017/*.jpg`` + ``annotations/instances_*.json``
    with polygon segmentations."""
    id_of = dict(zip(COCO_CLASSES, COCO_IDS))
    category_of = {shape: id_of[name] for shape, name in TOY_COCO_CLASSES.items()}
    categories = [dict(id=i, name=name, supercategory='toy')
                  for name, i in zip(COCO_CLASSES, COCO_IDS)]
    os.makedirs(osp.join(root, 'annotations'), exist_ok=True)
    ann_id = 1
    for split, count, offset in (('train', num_train, 0), ('val', num_val, 1000)):
        rng = np.random.RandomState(seed + offset)
        img_dir = osp.join(root, f'{split}2017')
        os.makedirs(img_dir, exist_ok=True)
        images, annotations = [], []
        for i in range(count):
            h, w = size
            img, objects = _scene(rng, h, w)
            image_id = offset + i + 1
            name = f'{image_id:012d}.jpg'
            img.save(osp.join(img_dir, name), quality=95)
            images.append(dict(id=image_id, file_name=name, height=h, width=w))
            for obj in objects:
                xs, ys = np.array(obj['polygon']).T
                x0, y0 = float(xs.min()), float(ys.min())
                annotations.append(dict(
                    id=ann_id, image_id=image_id, category_id=category_of[obj['shape']],
                    segmentation=[[round(float(v), 2) for pt in obj['polygon'] for v in pt]],
                    area=_area(obj['polygon']),
                    bbox=[x0, y0, float(xs.max()) - x0, float(ys.max()) - y0], iscrowd=0))
                ann_id += 1
        with open(osp.join(root, 'annotations', f'instances_{split}2017.json'), 'w') as f:
            json.dump(dict(info=dict(description='mmhybrid toy COCO'), licenses=[],
                           images=images, annotations=annotations, categories=categories), f)


def make_toy_ade20k(root: str, num_train: int = 32, num_val: int = 8, seed: int = 0,
                    size: Tuple[int, int] = (256, 256)) -> None:
    """ADE20K layout under ``root``: ``ADEChallengeData2016/{images,annotations}/{training,
    validation}``, ``.jpg`` images and ``.png`` label maps with 0 = other."""
    base = osp.join(root, 'ADEChallengeData2016')
    for split, count, offset in (('training', num_train, 0), ('validation', num_val, 1000)):
        rng = np.random.RandomState(seed + 7 + offset)
        img_dir = osp.join(base, 'images', split)
        ann_dir = osp.join(base, 'annotations', split)
        os.makedirs(img_dir, exist_ok=True)
        os.makedirs(ann_dir, exist_ok=True)
        tag = 'train' if split == 'training' else 'val'
        for i in range(count):
            h, w = size
            img, objects = _scene(rng, h, w)
            label = np.array(_label_map(h, w, objects, ADE_LABELS))
            label[:4] = 0  # an unlabelled border row, as ADE20K has "other" pixels
            name = f'ADE_{tag}_{i + 1:08d}'
            img.save(osp.join(img_dir, name + '.jpg'), quality=95)
            Image.fromarray(label).save(osp.join(ann_dir, name + '.png'))


def make_toy_cityscapes(root: str, num_train: int = 8, num_val: int = 4, seed: int = 0,
                        size: Tuple[int, int] = (256, 512)) -> None:
    """Cityscapes layout: ``leftImg8bit/{train,val}/<city>/*_leftImg8bit.png`` and
    ``gtFine/.../*_gtFine_{labelIds,labelTrainIds,instanceIds}.png`` (instance ids as
    Cityscapes writes them: ``labelId * 1000 + k`` for objects, 16-bit)."""
    lut = np.full(256, 255, dtype=np.uint8)
    for label_id, train_id in CITYSCAPES_TRAIN_IDS.items():
        lut[label_id] = train_id
    for split, count, offset, city in (('train', num_train, 0, 'toytown'),
                                       ('val', num_val, 1000, 'toyville')):
        rng = np.random.RandomState(seed + 13 + offset)
        img_dir = osp.join(root, 'leftImg8bit', split, city)
        gt_dir = osp.join(root, 'gtFine', split, city)
        os.makedirs(img_dir, exist_ok=True)
        os.makedirs(gt_dir, exist_ok=True)
        for i in range(count):
            h, w = size
            img, objects = _scene(rng, h, w)
            label_ids = np.array(_label_map(h, w, objects, CITYSCAPES_LABEL_IDS))
            label_ids[-8:] = 1  # ego vehicle: ignored in training and evaluation
            instance_ids = label_ids.astype(np.uint16)
            for k, obj in enumerate(objects):
                if CITYSCAPES_LABEL_IDS[obj['shape']] not in CITYSCAPES_INSTANCE_IDS:
                    continue
                mask = np.array(_label_map(h, w, [obj], dict(background=0, **{obj['shape']: 1})))
                instance_ids[mask == 1] = CITYSCAPES_LABEL_IDS[obj['shape']] * 1000 + k
            stem = f'{city}_{i:06d}_000019'
            Image.fromarray(instance_ids).save(osp.join(gt_dir, f'{stem}_gtFine_instanceIds.png'))
            img.save(osp.join(img_dir, f'{stem}_leftImg8bit.png'))
            Image.fromarray(label_ids).save(osp.join(gt_dir, f'{stem}_gtFine_labelIds.png'))
            Image.fromarray(lut[label_ids]).save(
                osp.join(gt_dir, f'{stem}_gtFine_labelTrainIds.png'))


def make_toy_pascal_context(root: str, num_train: int = 8, num_val: int = 4, seed: int = 0,
                            size: Tuple[int, int] = (240, 320)) -> None:
    """Pascal Context layout (mmseg's ``VOCdevkit/VOC2010``): ``JPEGImages/*.jpg``,
    ``SegmentationClassContext/*.png`` label maps (0-59) and
    ``ImageSets/SegmentationContext/{train,val}.txt`` image lists."""
    for sub in ('JPEGImages', 'SegmentationClassContext', 'ImageSets/SegmentationContext'):
        os.makedirs(osp.join(root, sub), exist_ok=True)
    for split, count, offset in (('train', num_train, 0), ('val', num_val, 1000)):
        rng = np.random.RandomState(seed + 41 + offset)
        names = []
        for i in range(count):
            h, w = size
            img, objects = _scene(rng, h, w)
            name = f'2008_{offset + i:06d}'
            img.save(osp.join(root, 'JPEGImages', name + '.jpg'), quality=95)
            _label_map(h, w, objects, PASCAL_CONTEXT_LABELS).save(
                osp.join(root, 'SegmentationClassContext', name + '.png'))
            names.append(name)
        with open(osp.join(root, 'ImageSets', 'SegmentationContext', f'{split}.txt'), 'w') as f:
            f.write('\n'.join(names) + '\n')


def make_toy_imagenet(root: str, num_train: int = 24, num_val: int = 6, seed: int = 0,
                      size: Tuple[int, int] = (96, 96)) -> None:
    """ImageNet layout: ``train/<wnid>/<wnid>_<n>.JPEG``, flat ``val/ILSVRC2012_val_*.JPEG``
    and ``meta/{train,val}.txt`` ("path label" lines). The image's one shape is its class."""
    os.makedirs(osp.join(root, 'meta'), exist_ok=True)
    for split, count, offset in (('train', num_train, 0), ('val', num_val, 1000)):
        rng = np.random.RandomState(seed + 29 + offset)
        lines = []
        for i in range(count):
            label = i % len(SHAPES)
            h, w = size
            img = Image.fromarray(_background(rng, h, w))
            r = rng.uniform(0.25, 0.4) * min(h, w)
            poly = _polygon(SHAPES[label], w / 2 + rng.uniform(-5, 5), h / 2 + rng.uniform(-5, 5),
                            r, rng.uniform(0, math.pi / 2))
            ImageDraw.Draw(img).polygon(poly, fill=COLOURS[SHAPES[label]])
            wnid = IMAGENET_WNIDS[label]
            name = (f'{wnid}/{wnid}_{i + 1}.JPEG' if split == 'train' else
                    f'ILSVRC2012_val_{i + 1:08d}.JPEG')
            os.makedirs(osp.dirname(osp.join(root, split, name)), exist_ok=True)
            img.save(osp.join(root, split, name), format='JPEG', quality=95)
            lines.append(f'{name} {label}')
        with open(osp.join(root, 'meta', f'{split}.txt'), 'w') as f:
            f.write('\n'.join(lines) + '\n')


def make_all(root: str = 'data/toy', seed: int = 0) -> Dict[str, str]:
    """Write the five toy datasets under ``root``; returns their data roots."""
    roots = dict(coco=osp.join(root, 'coco'), ade=osp.join(root, 'ade'),
                 cityscapes=osp.join(root, 'cityscapes'),
                 pascal_context=osp.join(root, 'VOCdevkit', 'VOC2010'),
                 imagenet=osp.join(root, 'imagenet'))
    make_toy_coco(roots['coco'], seed=seed)
    make_toy_ade20k(roots['ade'], seed=seed)
    make_toy_cityscapes(roots['cityscapes'], seed=seed)
    make_toy_pascal_context(roots['pascal_context'], seed=seed)
    make_toy_imagenet(roots['imagenet'], seed=seed)
    return roots
