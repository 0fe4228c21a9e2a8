# Semantic FPN + TransXNet-B, ADE20K 80k (official recipe, LMMMEng/TransXNet
# semantic_segmentation/configs/sfpn_transxnet_base.py).
_base_ = ['./_base_/seg/semfpn_ade20k_80k.py']

model = dict(
    backbone=dict(
        _delete_=True,
        type='mmhybrid.TransXNet',
        arch='b',
        drop_path_rate=0.3,
        init_cfg=dict(type='Pretrained', checkpoint='https://github.com/LMMMEng/TransXNet/releases/download/v1.0/transx-b.pth.tar')),
    neck=dict(in_channels=[76, 152, 336, 672]))
