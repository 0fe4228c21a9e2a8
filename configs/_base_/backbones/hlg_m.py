# HLG-Medium for dense prediction: the four stage outputs after their LayerNorms; drop path
# 0.3 (the official seg/det value). No HLG weights were ever released: pre-train
# with cls_hlg_m_in1k.py and point init_cfg at that checkpoint.
backbone = dict(_delete_=True, type='mmhybrid.HLG', arch='m', drop_path_rate=0.3, init_cfg=None)
backbone_channels = [96, 192, 384, 768]
backbone_p3 = dict(backbone, out_indices=(1, 2, 3))
backbone_p3_channels = backbone_channels[1:]
backbone_stage3_channels = backbone_channels[2]
