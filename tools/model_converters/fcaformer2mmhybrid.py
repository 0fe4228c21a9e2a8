"""Convert an official FcaFormer checkpoint (ImageNet ``checkpoint-best.pth`` or the dense
backbone's) to mmhybrid's keys.

    python tools/model_converters/fcaformer2mmhybrid.py checkpoint-best.pth fcaformer_l2.pth --trust

ConvNeXt-style training checkpoints also pickle their argparse arguments, hence ``--trust``
for files you trust; ``--ema`` takes ``model_ema``. Backbone keys that the matching FcaFormer
would miss or not know are listed.
"""
from mmhybrid.converters.cli import convert_main
from mmhybrid.converters.fcaformer import build_fcaformer_for, convert_fcaformer

if __name__ == '__main__':
    convert_main(__doc__, convert_fcaformer, build_fcaformer_for)
