"""Convert an official HLG checkpoint (the ImageNet checkpoints of the fudan-zvg/SETR README's
HLG table, or a segmentation / detection backbone of that code) to mmhybrid's keys.

    python tools/model_converters/hlg2mmhybrid.py hlg_tiny.pth hlg_t_in1k.pth --trust

Swin-style training checkpoints also pickle their config, hence ``--trust`` for files you
trust. The variant is found from the widths and depths in the file; backbone keys that the
matching HLG would miss or not know are listed, as are official keys of modules the official
forward never uses (dropped).
"""
from mmhybrid.converters.cli import convert_main
from mmhybrid.converters.hlg import build_hlg_for, convert_hlg

if __name__ == '__main__':
    convert_main(__doc__, convert_hlg, build_hlg_for)
