# HLG-Tiny for dense prediction: the four stage outputs after their LayerNorms; drop path
# 0.1 (our choice; the official code has no Tiny dense model). No HLG weights were ever
# released: pre-train with cls_hlg_t_in1k.py and point init_cfg at that checkpoint.
backbone = dict(_delete_=True, type='mmhybrid.HLG', arch='t', drop_path_rate=0.1, init_cfg=None)
backbone_channels = [64, 128, 256, 512]
backbone_p3 = dict(backbone, out_indices=(1, 2, 3))
backbone_p3_channels = backbone_channels[1:]
backbone_stage3_channels = backbone_channels[2]
