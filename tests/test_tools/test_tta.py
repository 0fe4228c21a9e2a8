"""--tta: each task's semantics, and the multi-scale pipelines the configs define."""
import os.path as osp

import pytest
from mmengine.config import Config
from mmengine.registry import init_default_scope

from mmhybrid.utils import apply_tta
from tests.conftest import REPO


def _config(name: str) -> Config:
    return Config.fromfile(osp.join(REPO, 'configs', name))


def test_segmentation_wraps_the_model_and_replaces_the_test_pipeline():
    cfg = _config('upernet_transxnet_t_ade20k_160k.py')
    model = cfg.model
    apply_tta(cfg)
    assert cfg.model.type == 'SegTTAModel' and cfg.model.module == model
    assert cfg.test_dataloader.dataset.pipeline == cfg.tta_pipeline


def test_instance_segmentation_fails_clearly():
    with pytest.raises(ValueError, match='cannot merge instance masks'):
        apply_tta(_config('maskrcnn_transxnet_t_1x.py'))


def test_classification_defaults_to_flip():
    cfg = _config('cls_transxnet_t_in1k.py')
    apply_tta(cfg)
    assert cfg.model.type == 'mmpretrain.AverageClsScoreTTA'
    aug = cfg.test_dataloader.dataset.pipeline[-1]
    assert aug.type == 'TestTimeAug' and len(aug.transforms[0]) == 2


def test_segmentation_without_tta_pipeline_fails_clearly():
    cfg = _config('upernet_transxnet_t_ade20k_160k.py')
    cfg.pop('tta_pipeline')
    with pytest.raises(ValueError, match='--tta needs tta_pipeline'):
        apply_tta(cfg)


@pytest.mark.parametrize('name,shorts', [
    # SETR's protocol: short side max(512 r, 512), whatever the image's own size.
    ('setr-pup_vit-l_ade20k_160k.py', [512, 512, 512, 640, 768, 896]),
    # mmseg 0.x's: fit (2048 r, 512 r); a 256x256 image gets 512 r (then a multiple of 32).
    ('semfpn_transxnet_t_ade20k_80k.py', [256, 384, 512, 640, 768, 896]),
])
def test_multi_scale_sizes_on_an_ade20k_image(toy_workspace, name, shorts):
    cfg = _config(name)
    init_default_scope('mmseg')
    from mmseg.registry import DATASETS
    dataset = DATASETS.build(dict(
        type='ADE20KDataset',
        data_root=osp.join(toy_workspace, 'data/toy/ade/ADEChallengeData2016'),
        data_prefix=dict(img_path='images/validation', seg_map_path='annotations/validation'),
        pipeline=cfg.tta_pipeline))
    item = dataset[0]
    sizes = [tuple(x.shape[1:]) for x in item['inputs']]
    assert len(sizes) == 12  # six scales x two flips
    assert [min(s) for s in sizes[::2]] == shorts
    flips = [s.flip for s in item['data_samples']]
    assert flips.count(True) == flips.count(False) == 6
