"""What a file's own bytes say: EXIF, XMP and FLIR blocks, and the software ids in them."""
