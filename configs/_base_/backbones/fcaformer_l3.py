# FcaFormer-L3 for dense prediction: windowed attention (14 / 7), and 1x1 conv + LayerNorm
# outputs of [96, 192, 384, 768] channels (the official L2 dense backbone's scheme). Drop path
# 0.3 (scaled with depth, as ConvNeXt does).
# No FcaFormer-L3 weights were released: pre-train with cls_fcaformer_l3_in1k.py and
# point init_cfg at that checkpoint.
init_cfg = None
backbone = dict(
    _delete_=True,
    type='mmhybrid.FcaFormer',
    arch='l3',
    drop_path_rate=0.3,
    init_cfg=init_cfg)
backbone_channels = [96, 192, 384, 768]
backbone_p3 = dict(backbone, out_indices=(1, 2, 3))
backbone_p3_channels = backbone_channels[1:]
backbone_stage3_channels = backbone_channels[2]
backbone_seg = backbone
