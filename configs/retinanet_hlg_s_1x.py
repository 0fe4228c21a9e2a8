# RetinaNet + HLG-Small, COCO 1x: a README row; the official recipe (hlg-detection/configs/
# retinanet_hlg/retinanet_hlg_small_fpn_mstrain_1x_coco.py), multi-scale training.
_base_ = ['./_base_/hlg/retinanet_1x.py', './_base_/hlg/hlg_s.py']

model = dict(backbone={{_base_.backbone_p3}},
             neck=dict(in_channels={{_base_.backbone_p3_channels}}))
