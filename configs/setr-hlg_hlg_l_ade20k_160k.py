# SETR-HLG + HLG-Large, ADE20K 160k: a README row (49.8, multi-scale in the paper). The official
# config of this row is a copy of a RetinaNet COCO config, so this is the Small / Medium official
# recipe applied to Large (drop path 0.3 as the official Large backbones).
_base_ = ['./_base_/hlg/setr-hlg_ade20k_160k.py', './_base_/hlg/hlg_l.py']

model = dict(
    backbone={{_base_.backbone}},
    decode_head=dict(in_channels={{_base_.backbone_channels}}),
    auxiliary_head=dict(in_channels={{_base_.backbone_stage3_channels}}))
