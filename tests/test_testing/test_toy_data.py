"""The toy datasets are in the real formats: read them with the real dataset classes."""
import os.path as osp

import numpy as np
from PIL import Image
from pycocotools import mask as mask_utils
from pycocotools.coco import COCO

from mmhybrid.testing import make_toy_coco


def test_toy_coco_is_valid_coco(toy_workspace):
    root = osp.join(toy_workspace, 'data', 'toy', 'coco')
    coco = COCO(osp.join(root, 'annotations', 'instances_val2017.json'))
    assert len(coco.getCatIds()) == 80 and len(coco.getImgIds()) == 16
    used = {coco.loadCats(a['category_id'])[0]['name'] for a in coco.anns.values()}
    assert used == {'sports ball', 'kite', 'tv'}
    ann = next(iter(coco.anns.values()))
    img = coco.loadImgs(ann['image_id'])[0]
    mask = coco.annToMask(ann)
    ys, xs = np.nonzero(mask)
    x, y, w, h = ann['bbox']
    assert abs(xs.min() - x) <= 1.5 and abs(xs.max() + 1 - (x + w)) <= 1.5
    assert abs(mask.sum() - ann['area']) / ann['area'] < 0.1
    rle = mask_utils.frPyObjects(ann['segmentation'], img['height'], img['width'])
    assert mask_utils.area(rle)[0] > 0
    image = Image.open(osp.join(root, 'val2017', img['file_name']))
    assert image.size == (img['width'], img['height'])


def test_toy_data_is_deterministic(tmp_path):
    make_toy_coco(str(tmp_path / 'a'), num_train=2, num_val=1)
    make_toy_coco(str(tmp_path / 'b'), num_train=2, num_val=1)
    for name in ('annotations/instances_train2017.json', 'train2017/000000000002.jpg'):
        assert (tmp_path / 'a' / name).read_bytes() == (tmp_path / 'b' / name).read_bytes()


def test_toy_ade20k_reads_as_ade20k(toy_workspace):
    from mmseg.datasets import ADE20KDataset
    dataset = ADE20KDataset(
        data_root=osp.join(toy_workspace, 'data', 'toy', 'ade', 'ADEChallengeData2016'),
        data_prefix=dict(img_path='images/validation', seg_map_path='annotations/validation'),
        pipeline=[dict(type='mmseg.LoadAnnotations', reduce_zero_label=True)], lazy_init=False)
    assert len(dataset) == 8
    labels = np.unique(dataset[0]['gt_seg_map'])
    assert 255 in labels and 0 in labels and labels.max() == 255 and len(labels) >= 3


def test_toy_cityscapes_train_ids_match_label_ids(toy_workspace):
    from mmseg.datasets import CityscapesDataset
    root = osp.join(toy_workspace, 'data', 'toy', 'cityscapes')
    dataset = CityscapesDataset(
        data_root=root,
        data_prefix=dict(img_path='leftImg8bit/val', seg_map_path='gtFine/val'),
        pipeline=[], lazy_init=False)
    assert len(dataset) == 4
    info = dataset[0]
    train_ids = np.array(Image.open(info['seg_map_path']))
    label_ids = np.array(Image.open(info['seg_map_path'].replace('labelTrainIds', 'labelIds')))
    assert set(np.unique(train_ids)) <= {0, 7, 11, 13, 255}
    assert np.all((label_ids == 26) == (train_ids == 13))
    assert np.all((label_ids == 1) == (train_ids == 255))
