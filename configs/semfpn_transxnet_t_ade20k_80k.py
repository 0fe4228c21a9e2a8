# Semantic FPN + TransXNet-T, ADE20K 80k (official recipe, LMMMEng/TransXNet
# semantic_segmentation/configs/sfpn_transxnet_tiny.py).
_base_ = ['./_base_/seg/semfpn_ade20k_80k.py']

model = dict(
    backbone=dict(
        _delete_=True,
        type='mmhybrid.TransXNet',
        arch='t',
        drop_path_rate=0.1,
        init_cfg=dict(type='Pretrained', checkpoint='https://github.com/LMMMEng/TransXNet/releases/download/v1.0/transx-t.pth.tar')),
    neck=dict(in_channels=[48, 96, 224, 448]))
