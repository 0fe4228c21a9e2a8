# RetinaNet + HLG-Tiny, COCO 1x: the paper's Tiny row (43.3); the official RetinaNet recipe of
# S/M/L (hlg-detection/configs/retinanet_hlg/*.py; none exists for Tiny), multi-scale training.
_base_ = ['./_base_/hlg/retinanet_1x.py', './_base_/hlg/hlg_t.py']

model = dict(backbone={{_base_.backbone_p3}},
             neck=dict(in_channels={{_base_.backbone_p3_channels}}))
