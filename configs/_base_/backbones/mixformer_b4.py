# MixFormer-B4 for dense prediction: per-stage outputs before downsampling, each with its
# own LayerNorm (Swin's convention; the official dense code is not public). Drop path 0.2 is
# our choice. No ImageNet weights were ever released: pre-train with cls_mixformer_b4_in1k.py
# and point init_cfg at that checkpoint.
backbone = dict(_delete_=True, type='mmhybrid.MixFormer', arch='b4', drop_path_rate=0.2,
                init_cfg=None)
backbone_channels = [64, 128, 256, 512]
backbone_p3 = dict(backbone, out_indices=(1, 2, 3))
backbone_p3_channels = backbone_channels[1:]
backbone_stage3_channels = backbone_channels[2]
