# RetinaNet + MixFormer-B5, COCO 1x: no official config, so the PVT AdamW recipe.
_base_ = ['./_base_/det/retinanet_1x.py', './_base_/mixformer/mixformer_b5.py']

model = dict(backbone={{_base_.backbone_p3}},
             neck=dict(in_channels={{_base_.backbone_p3_channels}}))
