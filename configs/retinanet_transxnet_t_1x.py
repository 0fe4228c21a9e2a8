# RetinaNet + TransXNet-T, COCO 1x (official recipe, LMMMEng/TransXNet object_detection/configs/retinanet_transx_t_fpn_1x_coco.py).
_base_ = ['./_base_/det/retinanet_1x.py']

model = dict(
    backbone=dict(
        _delete_=True,
        type='mmhybrid.TransXNet',
        arch='t',
        out_indices=(1, 2, 3),
        drop_path_rate=0.1,
        init_cfg=dict(type='Pretrained', checkpoint='https://github.com/LMMMEng/TransXNet/releases/download/v1.0/transx-t.pth.tar')),
    neck=dict(in_channels=[96, 224, 448]))
