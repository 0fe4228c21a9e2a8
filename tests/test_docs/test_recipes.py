"""docs/recipes.md is generated from the configs, and the fields that the official sources fix
are pinned here, so that no later change drifts from a source unnoticed."""
import os.path as osp

import pytest

from tests.conftest import REPO, load_tool

SWIN_NO_DECAY = 'absolute_pos_embed, relative_position_bias_table, norm'
ADE_MS = '[(1024, 256), (1536, 384), (2048, 512), (2560, 640), (3072, 768), (3584, 896)]'
SETR_ADE_MS = ('SETR: ratios [0.5, 0.75, 1.0, 1.25, 1.5, 1.75] of (2048, 512), short side >= '
               '512 + flip')

# config -> {column: the value its source fixes}. Sources: LMMMEng/TransXNet,
# hkzhang-git/FcaFormer, fudan-zvg/SETR (incl. hlg-*/ and configs/setr_hlg/), Sense-X/UniFormer,
# mmdet 3.3 / mmseg 1.2.2 Swin and ConvNeXt configs, the HLG paper (IJCV 2024).
PINNED = {
    'maskrcnn_transxnet_t_1x': {
        'optimizer': 'AdamW 0.0001, wd 0.05', 'no weight decay': SWIN_NO_DECAY,
        'norm': 'backbone SyncBN', 'drop path': '0.1', 'precision': 'fp32', 'batch': '8 x 2'},
    'retinanet_transxnet_s_1x': {'optimizer': 'AdamW 0.0001, wd 0.0001', 'drop path': '0.2'},
    'semfpn_transxnet_b_ade20k_80k': {
        'optimizer': 'AdamW 0.0002, wd 0.0001', 'batch': '8 x 4', 'drop path': '0.3',
        'test': 'whole; Resize (2048, 512), ResizeToMultiple 32'},
    'cls_transxnet_t_in1k': {'optimizer': 'AdamW 0.002, wd 0.05', 'precision': 'AMP',
                             'norm': 'backbone SyncBN', 'batch': '8 x 128'},
    'maskrcnn_fcaformer_l2_3x': {
        'optimizer': 'AdamW 0.0001, wd 0.05', 'no weight decay': 'norms, biases, 1-d',
        'lr decay': 'layer_wise_cab 0.95', 'precision': 'AMP', 'drop path': '0.2'},
    'cascade-maskrcnn_fcaformer_l2_3x': {
        'optimizer': 'AdamW 0.0002, wd 0.05', 'no weight decay': 'norms, biases, 1-d',
        'lr decay': 'layer_wise_cab 0.7', 'precision': 'AMP'},
    'upernet_fcaformer_l2_ade20k_160k': {
        'optimizer': 'AdamW 0.0001, wd 0.01', 'lr decay': 'stage_wise 0.9', 'precision': 'AMP',
        'test': 'slide (512, 512) / (341, 341); Resize (2048, 512)', 'drop path': '0.1',
        'TTA': f'scales {ADE_MS} + flip'},
    'maskrcnn_mixformer_b1_3x': {'optimizer': 'AdamW 0.0001, wd 0.05',
                                 'no weight decay': SWIN_NO_DECAY},
    'upernet_mixformer_b4_ade20k_160k': {
        'optimizer': 'AdamW 6e-05, wd 0.01', 'no weight decay': SWIN_NO_DECAY,
        'test': 'whole; Resize (2048, 512)', 'TTA': f'scales {ADE_MS} + flip'},
    'maskrcnn_hybridformer_s_1x': {
        'optimizer': 'AdamW 0.0001, wd 0.05', 'no weight decay': SWIN_NO_DECAY,
        'precision': 'AMP', 'drop path': '0.2'},
    'semfpn_hybridformer_s_ade20k_80k': {'drop path': '0.1',
                                         'test': 'whole; Resize (2048, 512), ResizeToMultiple 32'},
    'maskrcnn_hlg_m_1x': {'optimizer': 'AdamW 0.0001, wd 0.0001', 'no weight decay': 'norm',
                          'drop path': '0.3', 'init': 'checkpoints/hlg_m_in1k.pth'},
    'retinanet_hlg_s_1x': {'optimizer': 'AdamW 0.0001, wd 0.0001', 'no weight decay': 'norm',
                           'drop path': '0.1'},
    'setr-hlg_hlg_s_ade20k_160k': {
        'optimizer': 'AdamW 6e-05, wd 0', 'lr decay': 'head x10', 'batch': '8 x 2',
        'test': 'slide (512, 512) / (341, 341); Resize (2048, 512)',
        'TTA': f'scales {ADE_MS} + flip'},
    'setr-hlg_hlg_m_cityscapes_80k': {
        'test': 'slide (768, 768) / (512, 512); Resize (2049, 1025)', 'drop path': '0.3'},
    'cls_hlg_l_in1k': {'optimizer': 'AdamW 0.001, wd 0.05', 'precision': 'AMP, clip 5',
                       'drop path': '0.2'},
    'setr-pup_vit-l_ade20k_160k': {'optimizer': 'SGD 0.001, wd 0', 'lr decay': 'head x10',
                                   'TTA': SETR_ADE_MS},
    'setr-mla_vit-l_ade20k_160k_bs8': {'batch': '8 x 1', 'TTA': SETR_ADE_MS},
    'setr-pup_deit-b_cityscapes_40k': {
        'optimizer': 'SGD 0.01, wd 0', 'batch': '8 x 1',
        'init': 'pretrain/deit_base_distilled_patch16_384.pth'},
    'setr-mla_vit-l_pascal-context_80k': {
        'optimizer': 'SGD 0.001, wd 0', 'test': 'slide (480, 480) / (320, 320); Resize '
        '(520, 520)'},
}
SCHEDULES = {
    'cls_transxnet_t_in1k': '310 epochs: linear warm-up from 0.0005x (0-5 ep), then cosine to '
                            '1e-05 (5-300 ep)',
    'maskrcnn_transxnet_t_1x': '12 epochs: linear warm-up from 0.001x (0-500 it), then steps '
                               'at [8, 11] (0-12 ep); keep best (auto)',
    'semfpn_transxnet_b_ade20k_80k': '80k iters: linear warm-up from 0.1x (0-1000 it), then '
                                     'cosine to 2e-12 (1000-80000 it); keep best (mIoU)',
    'setr-hlg_hlg_l_cityscapes_80k': '80k iters: linear warm-up from 1e-06x (0-1500 it), then '
                                     'poly 1 to 0 (1500-80000 it)',
    'setr-naive_vit-l_pascal-context_80k': '80k iters: poly 0.9 to 0.0001 (0-80000 it)',
}


@pytest.fixture(scope='module')
def gen():
    return load_tool('misc/gen_recipes.py')


def test_recipes_follow_their_sources_and_are_documented(gen):
    """One test, so that the configs are resolved once: docs/recipes.md is up to date, the
    pinned fields equal their sources, and a config that says it follows an official recipe
    names the file it follows."""
    recipes = {name: gen.recipe(name) for name in gen.configs_with_results()}
    with open(osp.join(REPO, 'docs', 'recipes.md')) as f:
        assert f.read() == gen.render(recipes), 'run python tools/misc/gen_recipes.py'
    for name, fields in PINNED.items():
        for column, value in fields.items():
            assert recipes[name][column] == value, (name, column)
    for name, schedule in SCHEDULES.items():
        assert recipes[name]['schedule'] == schedule, name
    for name, recipe in recipes.items():
        source = recipe['source']
        if 'official recipe' in source and 'applied to' not in source:
            assert any(ext in source for ext in ('.py', '.sh', '.yaml')), name
